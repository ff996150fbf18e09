"""bench/measure.py counts the CPU of every process a command starts, also of
one that outlives its parent unwaited for (pyspark's JVM outlives dbt's
process): the benchmarks' CPU figures depend on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
BURN_SECONDS = 1.5

# The command starts a child that burns CPU after the command has exited, and
# nobody waits for it. Measured in a process of its own: run_measured makes
# its caller the reaper of orphans, not something to do to pytest.
MEASURING = f"""
import json, sys
sys.path.insert(0, {str(BENCH)!r})
from measure import run_measured
burn = "import time\\nt = time.process_time()\\nwhile time.process_time() - t < {BURN_SECONDS}: pass"
command = [sys.executable, "-c", f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {{burn!r}}])"]
measured = run_measured(command)
print(json.dumps({{"returncode": measured.returncode, **measured.totals()}}))
"""


def test_the_cpu_of_a_process_its_parent_never_waited_for_is_counted():
    done = subprocess.run([sys.executable, "-c", MEASURING], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    assert measured["returncode"] == 0
    # the orphan's burn, not just the parent's start (which takes a tenth of it)
    assert measured["cpu_s"] >= BURN_SECONDS - 0.1, measured
