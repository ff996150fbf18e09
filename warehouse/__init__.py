"""Serving the marts: publication, read-only SQL, exports."""
