"""Superset's configuration for civstat, loaded by Superset through SUPERSET_CONFIG_PATH.

Runs inside Superset's own virtualenv (.venv-superset), so it imports nothing
from civstat: `superset/service.py` passes what it needs through the
environment (CIVSTAT_HOME, SUPERSET_SECRET_KEY) when it starts Superset.
"""

import os
from pathlib import Path

_home = os.environ.get("CIVSTAT_HOME")
if not _home:
    raise RuntimeError("CIVSTAT_HOME is not set: start Superset with `civstat superset up`")
STATE_DIR = Path(_home) / "superset"

SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY") or ""
if len(SECRET_KEY) < 32:
    raise RuntimeError("SUPERSET_SECRET_KEY is not set (or shorter than 32 characters)")

# Superset's own metadata (users, datasets, charts, dashboards): SQLite in the state directory.
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE_DIR / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(STATE_DIR)
UPLOAD_FOLDER = str(STATE_DIR / "uploads")

# Served on 127.0.0.1 only (gunicorn's bind, see service.py); no proxy in front.
ENABLE_PROXY_FIX = False
SESSION_COOKIE_SECURE = False

# Every chart query reads the current serving file: no result cache that could
# outlive a publication (the file is replaced atomically, see docs/serving.md).
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

FEATURE_FLAGS = {
    "DASHBOARD_NATIVE_FILTERS": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
}

# Dashboards, charts, filters and column names are labelled in Chinese. The
# UI's own language stays Superset's default: BABEL_DEFAULT_LOCALE = "zh" alone
# leaves the login page blank on 6.1 (no LANGUAGES entry for it).
