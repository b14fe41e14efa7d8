"""The province generator writes records shuping reads without a problem (a small one here)."""

from __future__ import annotations

import os

from bench.generate_province import generate
from store.check import check_archive
from store.snapshot import load
from store.verify import verify_archive


def test_a_small_generated_province_is_clean(tmp_path):
    archive = generate(tmp_path / "province", orgs=4, branches=40, commits=30)
    assert check_archive(archive) == []
    snap = load(archive)
    assert (len(snap.orgs), len(snap.branches), len(snap.reviews)) == (4, 40, 40)
    assert len(archive.history(limit=100)) == 32  # init, roster, 30 edits
    assert verify_archive(archive).findings == []


def test_bench_run_is_an_executable_script():
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "bench" / "run"
    assert os.access(script, os.X_OK) and script.read_text().startswith("#!/usr/bin/env bash")
