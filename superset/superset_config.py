"""Superset's configuration for civstat, loaded by Superset through SUPERSET_CONFIG_PATH.

Runs inside Superset's own virtualenv (.venv-superset), so it imports nothing
from civstat: `superset/service.py` passes what it needs through the
environment (CIVSTAT_HOME, CIVSTAT_SERVING_PATH, SUPERSET_SECRET_KEY) when it
starts Superset.
"""

import importlib.util
import os
import sys
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

# Chart results are cached per version of the serving file
# (serving_cache.py): a publication replaces the file, so the next view of a
# chart reads the new figures and later views are answered from the cache.
# Flask-Caching imports a cache class by its dotted name, and this file is not
# a module on Superset's path, so the class's module is registered by hand.
_serving_cache_spec = importlib.util.spec_from_file_location(
    "civstat_serving_cache", Path(__file__).with_name("serving_cache.py"))
sys.modules["civstat_serving_cache"] = importlib.util.module_from_spec(_serving_cache_spec)
_serving_cache_spec.loader.exec_module(sys.modules["civstat_serving_cache"])

DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "civstat_serving_cache.ServingVersionCache",
    "CACHE_DIR": str(STATE_DIR / "cache" / "chart-data"),
    "CACHE_SERVING_PATH": os.environ.get("CIVSTAT_SERVING_PATH", ""),
    "CACHE_DEFAULT_TIMEOUT": 7 * 24 * 3600,     # a stale version's entries go after a week
    "CACHE_THRESHOLD": 5000,
}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

FEATURE_FLAGS = {
    "DASHBOARD_NATIVE_FILTERS": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
}

# Dashboards, charts, filters and column names are labelled in Chinese. The
# UI's own language stays Superset's default: BABEL_DEFAULT_LOCALE = "zh" alone
# leaves the login page blank on 6.1 (no LANGUAGES entry for it).
