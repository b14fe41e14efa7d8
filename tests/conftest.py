"""Fixtures: real archives in temporary folders, built through the store."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from store.archive import Archive

os.environ.setdefault("SHUPING_TODAY", "2021-01-20")
os.environ["SHUPING_KEYMAP"] = os.devnull  # never the developer's own keymap; tests that need one set it
TODAY = date(2021, 1, 20)
OPERATOR = "测试员"


@pytest.fixture
def empty_archive(tmp_path: Path) -> Archive:
    return Archive.init(tmp_path / "archive", "测试大学", OPERATOR)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    import store.demo.access
    from store.demo import build

    path = tmp_path_factory.mktemp("demo-template") / "archive"
    with pytest.MonkeyPatch.context() as patch:
        # tests act as OPERATOR on every organisation: no access scopes (tests/test_access.py adds the demo's)
        patch.setattr(store.demo.access, "build", lambda archive: None)
        build(path)
    return path


@pytest.fixture
def demo_archive(_demo_template: Path, tmp_path: Path) -> Archive:
    """A fresh copy of the demo archive (built once per test session)."""
    import shutil

    target = tmp_path / "demo"
    shutil.copytree(_demo_template, target, symlinks=True, ignore=shutil.ignore_patterns("shuping-cache"))  # start cold
    return Archive.open(target, OPERATOR)


def git_log(archive: Archive, *args: str) -> list[str]:
    out = archive.git.run("log", "--format=%an|%s", *args)
    return out.splitlines() if out else []


@pytest.fixture(autouse=True)
def _exports_in_tmp(tmp_path: Path, monkeypatch) -> None:
    """Exports a test leaves to the default folder (~/shuping-exports) land in its tmp folder, not the real home."""
    monkeypatch.setattr("store.outputs.DEFAULT_EXPORT_DIR", str(tmp_path / "shuping-exports"))
