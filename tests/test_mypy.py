"""The package type-checks as pyproject.toml configures mypy: a typed public API stays typed.

The first run in a fresh checkout takes about two minutes (mypy reads the vendors' stubs); after
that its cache (.mypy_cache/, not in git) makes it a few seconds."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_finds_no_errors_in_the_package():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
