"""Superset as its own service: its virtualenv, its state, start and stop.

Superset's pins conflict with the Dagster stack, so it lives in
``<repo>/.venv-superset`` (``superset/requirements.txt``) and runs as a
separate process; civstat only talks to it over HTTP. State (the SQLite
metadata database, the pid file, generated demo secrets) lives under
``<CIVSTAT_HOME>/superset`` and ``<CIVSTAT_HOME>/secrets``; the log is
``<CIVSTAT_HOME>/logs/superset.log``.

    setup(settings)  create or refresh the virtualenv (idempotent)
    up(settings)     migrate, create the admin, start gunicorn on 127.0.0.1; returns the URL
    down(settings)   stop what `up` started

Secrets: the admin password is ``CIVSTAT_SUPERSET_PASSWORD`` and the session
key ``SUPERSET_SECRET_KEY``; without them Superset does not start, except in
demo mode (``CIVSTAT_DEMO=1``), where random ones are generated once under
``<CIVSTAT_HOME>/secrets`` (never a fixed default).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from civstat.settings import REPO_ROOT, Settings, SettingsError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VENV = REPO_ROOT / ".venv-superset"
REQUIREMENTS = HERE / "requirements.txt"
CONFIG = HERE / "superset_config.py"
PYTHON = "python3.11"
_STAMP = ".civstat-requirements.sha256"
_LOCAL_HOSTS = ("127.0.0.1", "localhost")


class SupersetServiceError(RuntimeError):
    """Superset could not be set up, started or stopped."""


@dataclass(frozen=True)
class Paths:
    state: Path
    db: Path
    pid: Path
    log: Path
    initialised: Path
    secrets: Path

    @classmethod
    def of(cls, settings: Settings) -> "Paths":
        state = settings.home / "superset"
        return cls(state=state, db=state / "superset.db", pid=state / "superset.pid",
                   log=settings.home / "logs" / "superset.log", initialised=state / ".initialised",
                   secrets=settings.home / "secrets")


# ----------------------------------------------------------------- virtualenv
def venv_ready() -> bool:
    """The virtualenv exists and was built from the current requirements."""
    stamp = VENV / _STAMP
    return (VENV / "bin" / "superset").exists() and stamp.exists() and stamp.read_text() == _requirements_hash()


def setup(settings: Settings | None = None) -> Path:
    """Create ``.venv-superset`` and install ``superset/requirements.txt`` into it, if not done yet."""
    if venv_ready():
        return VENV
    started = time.monotonic()
    if not (VENV / "bin" / "python").exists():
        log.info("creating %s", VENV)
        _run([PYTHON, "-m", "venv", str(VENV)])
    log.info("installing Superset into %s (a few minutes)", VENV)
    _run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
          "-r", str(REQUIREMENTS)])
    (VENV / _STAMP).write_text(_requirements_hash())
    log.info("Superset virtualenv ready in %.0f s", time.monotonic() - started)
    return VENV


def _requirements_hash() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


# ------------------------------------------------------------------- secrets
def admin_credentials(settings: Settings) -> tuple[str, str]:
    """The admin's user name and password: from the settings, or generated once in demo mode."""
    if settings.superset_password:
        return settings.superset_user, settings.superset_password
    if not settings.demo:
        raise SettingsError("CIVSTAT_SUPERSET_PASSWORD is not set: Superset's admin gets no default password "
                            "(set it, or CIVSTAT_DEMO=1 for a demo with a generated one)")
    return settings.superset_user, _demo_secret(settings, "superset-admin-password", 16)


def secret_key(settings: Settings) -> str:
    key = os.environ.get("SUPERSET_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise SettingsError("SUPERSET_SECRET_KEY must be at least 32 characters")
        return key
    if not settings.demo:
        raise SettingsError("SUPERSET_SECRET_KEY is not set: Superset signs sessions with it "
                            "(set it, or CIVSTAT_DEMO=1 for a demo with a generated one)")
    return _demo_secret(settings, "superset-secret-key", 48)


def _demo_secret(settings: Settings, name: str, nbytes: int) -> str:
    path = Paths.of(settings).secrets / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(nbytes), encoding="ascii")
        tmp.chmod(0o600)
        os.replace(tmp, path)
    return path.read_text(encoding="ascii").strip()


# --------------------------------------------------------------- up and down
def bind_address(settings: Settings) -> tuple[str, int]:
    """Host and port from ``superset_url``; only a local address is accepted."""
    parts = urlsplit(settings.superset_url)
    if parts.scheme != "http" or parts.hostname not in _LOCAL_HOSTS:
        raise SettingsError(f"superset_url must be http://127.0.0.1:PORT (Superset is served locally), "
                            f"got {settings.superset_url!r}")
    return "127.0.0.1", parts.port or 8088


def superset_env(settings: Settings) -> dict[str, str]:
    """The environment of every Superset process: config, state, secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVSTAT_SUPERSET_PASSWORD", "SUPERSET_"))}
    env.update({
        "CIVSTAT_HOME": str(settings.home),
        "CIVSTAT_SERVING_PATH": str(settings.serving_path),    # the chart cache's version (serving_cache.py)
        "SUPERSET_CONFIG_PATH": str(CONFIG),
        "SUPERSET_SECRET_KEY": secret_key(settings),
        "FLASK_APP": "superset.app:create_app()",
        "PYTHONUNBUFFERED": "1",
        "PATH": os.pathsep.join([str(VENV / "bin"), os.environ.get("PATH", "")]),
    })
    return env


def is_up(settings: Settings) -> bool:
    host, port = bind_address(settings)
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def up(settings: Settings, timeout: float = 180) -> str:
    """Start Superset in the background on 127.0.0.1 and return its URL (it is already up: just the URL)."""
    host, port = bind_address(settings)
    url = f"http://{host}:{port}"
    paths = Paths.of(settings)
    if _running_pid(paths) and is_up(settings):
        return url
    if is_up(settings):
        raise SupersetServiceError(f"something else already answers on {url}; stop it or choose another "
                                   f"CIVSTAT_SUPERSET_URL")
    setup(settings)
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.log.parent.mkdir(parents=True, exist_ok=True)
    env = superset_env(settings)
    _initialise(settings, paths, env)

    log.info("starting Superset on %s", url)
    with paths.log.open("ab") as log_file:
        proc = subprocess.Popen(
            [str(VENV / "bin" / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
             "--timeout", "120", "-b", f"{host}:{port}", "--limit-request-line", "0",
             "superset.app:create_app()"],
            cwd=paths.state, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    paths.pid.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            paths.pid.unlink(missing_ok=True)
            raise SupersetServiceError(f"Superset exited at start (code {proc.returncode}); "
                                       f"see {paths.log}:\n{_tail(paths.log)}")
        if is_up(settings):
            return url
        time.sleep(0.5)
    down(settings)
    raise SupersetServiceError(f"Superset did not answer on {url}/health within {timeout:.0f} s; see {paths.log}")


def down(settings: Settings, timeout: float = 30) -> bool:
    """Stop the Superset that `up` started; True if one was running."""
    paths = Paths.of(settings)
    pid = _running_pid(paths)
    if pid is None:
        paths.pid.unlink(missing_ok=True)
        return False
    os.killpg(pid, signal.SIGTERM)  # gunicorn's master and its workers: the group `up` made
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    paths.pid.unlink(missing_ok=True)
    return True


def _initialise(settings: Settings, paths: Paths, env: dict[str, str]) -> None:
    """Migrate the metadata database, create or update the admin, and init roles (skipped when current)."""
    superset = str(VENV / "bin" / "superset")
    marker = _requirements_hash()
    fresh = not (paths.initialised.exists() and paths.initialised.read_text() == marker and paths.db.exists())
    if fresh:
        _run([superset, "db", "upgrade"], env=env, cwd=paths.state, log_to=paths.log)
    user, password = admin_credentials(settings)
    created = _run([superset, "fab", "create-admin", "--username", user, "--firstname", "civstat",
                    "--lastname", "admin", "--email", f"{user}@localhost", "--password", password],
                   env=env, cwd=paths.state, log_to=paths.log, secret=password)
    if "already exists" in created:
        _run([superset, "fab", "reset-password", "--username", user, "--password", password],
             env=env, cwd=paths.state, log_to=paths.log, secret=password)
    if fresh:
        _run([superset, "init"], env=env, cwd=paths.state, log_to=paths.log)
        paths.initialised.write_text(marker)


def _run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
         log_to: Path | None = None, secret: str | None = None) -> str:
    shown = " ".join("***" if secret and part == secret else part for part in cmd[:4])
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    output = proc.stdout + proc.stderr
    if secret:
        output = output.replace(secret, "***")
    if log_to:
        with log_to.open("a", encoding="utf-8") as fh:
            fh.write(f"$ {shown} …\n{output}\n")
    if proc.returncode != 0:
        raise SupersetServiceError(f"`{shown} …` failed (code {proc.returncode}):\n{output[-2000:]}")
    return output


def _running_pid(paths: Paths) -> int | None:
    try:
        pid = int(paths.pid.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of this process counts as gone.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:
        return True


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


if __name__ == "__main__":  # pragma: no cover - a convenience for developers
    logging.basicConfig(level=logging.INFO)
    action = sys.argv[1] if len(sys.argv) > 1 else "up"
    s = Settings.load()
    print({"setup": lambda: setup(s), "up": lambda: up(s), "down": lambda: down(s)}[action]())


# ---------------------------------------------------------------- screenshots
def screenshots(settings: Settings, out_dir: Path, slugs: list[str], timeout: float = 600) -> list[dict]:
    """Headless Chromium pictures of the dashboards (superset/screenshot.py in Superset's virtualenv).

    Returns, per dashboard, its file, charts, charts rendered and error messages;
    raises when the browser could not run at all."""
    import json

    user, password = admin_credentials(settings)
    env = os.environ | {"SUPERSET_URL": settings.superset_url, "SUPERSET_USER": user, "SUPERSET_PASSWORD": password}
    proc = subprocess.run([str(VENV / "bin" / "python"), str(HERE / "screenshot.py"), str(out_dir), *slugs],
                          env=env, capture_output=True, text=True, timeout=timeout)
    lines = proc.stdout.strip().splitlines()
    if not lines:
        raise SupersetServiceError(f"screenshots failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(lines[-1])
