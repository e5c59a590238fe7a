"""Fixtures for the Verify backends (filled in by the backends work)."""
