"""Superset's chart-data cache, keyed by the version of the serving file it was read from.

Runs inside Superset's virtualenv (``superset_config.py`` loads it). A
publication replaces the serving file atomically (a new file, hence a new
inode), so the file's inode and modification time name the data every chart
query reads. Each cache key carries that version: after a publication no chart
is answered from the previous version's results, and nothing has to tell
Superset that the figures changed. The old entries expire or are pruned.

The race to close: a query that opened the old file while the new one was
being swapped in would store old figures. So a result is stored under the
version seen *when its key was looked up*, before the query ran, never under
the version current when it is stored: old figures can only land under the
old version's keys, which no later lookup asks for.
"""

from __future__ import annotations

import os
import threading

from flask_caching.backends.base import BaseCache
from flask_caching.backends.filesystemcache import FileSystemCache


def serving_version(path: str) -> str:
    """The published version a reader opening ``path`` now gets: inode and mtime."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "unpublished"
    return f"{stat.st_ino}-{stat.st_mtime_ns}"


class ServingVersionCache(BaseCache):
    """A file-system cache (shared by Superset's worker processes) whose keys
    are prefixed with the serving file's version at lookup time. It wraps
    Flask-Caching's own file-system cache rather than subclassing it: that
    class calls its public get/set for its own bookkeeping."""

    def __init__(self, files: FileSystemCache, serving_path: str) -> None:
        super().__init__(default_timeout=files.default_timeout)
        self.files = files
        self.serving_path = serving_path
        self._looked_up = threading.local()       # key → version, per request thread

    @classmethod
    def factory(cls, app, config, args, kwargs):
        return cls(FileSystemCache.factory(app, config, args, kwargs), config["CACHE_SERVING_PATH"])

    def _versions(self) -> dict[str, str]:
        if not hasattr(self._looked_up, "versions"):
            self._looked_up.versions = {}
        return self._looked_up.versions

    def get(self, key: str):
        version = serving_version(self.serving_path)
        self._versions()[key] = version
        return self.files.get(f"{version}:{key}")

    def set(self, key: str, value, timeout: int | None = None) -> bool:
        version = self._versions().pop(key, None)
        if version is None:
            # Stored without a lookup first: the version it was read from is
            # unknown, so it is not stored (chart data always looks up first).
            return False
        return self.files.set(f"{version}:{key}", value, timeout=timeout)

    def add(self, key: str, value, timeout: int | None = None) -> bool:
        return False        # as set() without a lookup

    def delete(self, key: str) -> bool:
        return self.files.delete(f"{serving_version(self.serving_path)}:{key}")

    def has(self, key: str) -> bool:
        return self.files.has(f"{serving_version(self.serving_path)}:{key}")

    def clear(self) -> bool:
        return self.files.clear()
