"""Fixtures shared by every test tier: where the repository and the shared data live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The monorepo root (the folder holding inference/, training/, configs/, data/)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data(repo_root: Path) -> Path:
    """``../shared/data`` next to the repository; tests that need it skip when it is absent."""
    path = (repo_root / ".." / "shared" / "data").resolve()
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path} (../shared/data beside the repository)")
    return path
