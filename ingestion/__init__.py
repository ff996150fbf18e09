"""Departmental extracts into typed, pseudonymised raw tables."""
