"""Wall time, CPU time and peak memory of a command and every process it starts.

`civstat run` starts dbt in a child process and Dagster starts watchers, so
`resource.getrusage` of one process tells too little. A thread samples the
whole process tree from /proc (Linux) every ``interval`` seconds: the tree's
resident memory (summed) and its cumulative CPU time. Summing each live
process's own and reaped children's CPU keeps the total continuous when a child
exits (its time moves into its parent's ``cutime``). Stages are then read off
the samples by their time windows (`Samples.window`).

A child its parent never waits for would take its CPU with it: pyspark's JVM
(the Spark engine) outlives dbt's process, which exits without reaping it.
So the measuring process makes itself a child subreaper: orphaned
descendants become its children, it reaps them, and their CPU moves into its
own reaped total, which each sample adds. (Before this, the Spark figures
lost the JVMs' CPU: 391 CPU s counted for a run that kept the machine busy
for 1,177.)
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_PR_SET_CHILD_SUBREAPER = 36
ORPHAN_WAIT_SECONDS = 10


def _become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, not to init."""
    if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _reap_orphans(keep: int) -> None:
    """Reap every exited child of this process but ``keep`` (the command,
    which Popen waits for): adopted orphans whose CPU would otherwise be lost."""
    for pid in _children(os.getpid()):
        if pid == keep:
            continue
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def _children(pid: int) -> list[int]:
    out = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:             # the process ended since it was listed
        return out
    for task in tasks:
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return out


def _tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(_children(pid))
    return pids


def _cpu_and_rss(pid: int) -> tuple[float, int]:
    """Seconds of CPU (own and reaped children's) and resident bytes of one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0, 0
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / _TICKS, rss_pages * _PAGE


@dataclass
class Sample:
    at: float          # time.time()
    cpu: float         # cumulative CPU seconds of the tree
    rss: int           # resident bytes of the tree


@dataclass
class Samples:
    samples: list[Sample] = field(default_factory=list)

    def window(self, start: float, end: float) -> dict:
        """CPU seconds and peak RSS (MB) between two wall-clock instants."""
        inside = [s for s in self.samples if start <= s.at <= end]
        before = [s for s in self.samples if s.at <= start]
        after = [s for s in self.samples if s.at >= end]
        first = before[-1] if before else (inside[0] if inside else None)
        last = after[0] if after else (inside[-1] if inside else None)
        cpu = (last.cpu - first.cpu) if first and last else 0.0
        peak = max((s.rss for s in inside), default=max((s.rss for s in (first, last) if s), default=0))
        return {"wall_s": round(end - start, 2), "cpu_s": round(max(cpu, 0.0), 2), "peak_rss_mb": round(peak / 2**20)}


@dataclass
class Measured:
    command: list[str]
    returncode: int
    started: float
    ended: float
    samples: Samples
    output: str

    def totals(self) -> dict:
        return self.samples.window(self.started, self.ended)


def run_measured(command: list[str], *, env: dict | None = None, interval: float = 0.2,
                 cwd: Path | None = None) -> Measured:
    """Run a command to its end, sampling its process tree; its output is kept,
    not shown. One at a time: exited children of this process are reaped."""
    _become_subreaper()
    samples = Samples()
    reaped_before = _reaped_cpu_total()     # children reaped before (a process pool's workers, say) are not ours
    started = time.time()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            _reap_orphans(keep=proc.pid)
            # The command's tree and the orphans adopted from it, plus what was reaped here.
            cpu, rss = _reaped_cpu_total() - reaped_before, 0
            for child in _children(os.getpid()):
                for pid in _tree(child):
                    c, r = _cpu_and_rss(pid)
                    cpu += c
                    rss += r
            samples.samples.append(Sample(time.time(), cpu, rss))
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    output = proc.stdout.read()
    proc.wait()
    stop.set()
    thread.join()
    ended = time.time()
    # Adopted orphans still exiting (a JVM shutting down) are waited for a
    # little: their CPU is the command's. A server it left running is not.
    deadline = time.monotonic() + ORPHAN_WAIT_SECONDS
    while _children(os.getpid()) and time.monotonic() < deadline:
        _reap_orphans(keep=-1)
        time.sleep(0.05)
    # The last sample cannot see the tree's final CPU; the reaped children's rusage can.
    last = samples.samples[-1] if samples.samples else Sample(started, 0.0, 0)
    samples.samples.append(Sample(ended, max(last.cpu, _reaped_cpu_total() - reaped_before), last.rss))
    return Measured(command, proc.returncode, started, ended, samples, output)


def _reaped_cpu_total() -> float:
    """CPU seconds of every child this process has reaped (and the descendants they waited for), as the kernel counted."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
