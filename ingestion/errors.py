"""Errors that name the file, the row and the field, in words a clerk can act on."""

from __future__ import annotations


class FileRejected(Exception):
    """A whole file cannot be loaded (unreadable, a required column missing, …)."""

    def __init__(self, file: str, reason: str):
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class FieldError(ValueError):
    """One value of one row is unusable; the row goes to quarantine."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
