"""Shared fixtures for the host-configuration tests (the runner comes from tests/conftest.py)."""
