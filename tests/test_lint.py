"""The code passes the checks pyproject.toml configures: mypy on the package and the app's pages (a typed public API
stays typed), ruff on everything of ours (pyflakes, pycodestyle, isort, bugbear, simplify).

mypy's first run in a fresh checkout takes about two minutes (mypy reads the vendors' stubs); after
that its cache (.mypy_cache/, not in git) makes it a few seconds."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_finds_no_errors_in_the_package():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
