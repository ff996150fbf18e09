"""Dagster definitions of civstat: ``dagster dev -m orchestration``."""

from orchestration.definitions import defs

__all__ = ["defs"]
