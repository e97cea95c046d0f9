"""Shared fixtures for the host-configuration tests."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

import evtdiag

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# From a source tree (PYTHONPATH=src) the package data evtdiag.templates is the
# top-level templates/ folder, as pyproject's package-dir maps it in the wheel.
if REPO not in evtdiag.__path__:
    evtdiag.__path__.append(REPO)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
