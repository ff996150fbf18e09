"""Deterministic synthetic departmental extracts with a ground-truth manifest."""
