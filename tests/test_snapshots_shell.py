"""Snapshots of the shell's main screens on the demo archive (SHUPING_TODAY fixed by conftest).

At 80×24 the branch browser drops the organisation and scope-detail columns (the detail of
the highlighted branch shows under the table); at 160×40 every column is there.
"""

from __future__ import annotations

import pytest

from schema.scope import ScopeReason
from store.snapshot import load
from tui.app import ShupingApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 40), id="160x40")]


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, demo_archive, size):
    assert snap_compare(ShupingApp(demo_archive), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_branch_browser(snap_compare, demo_archive, size):
    assert snap_compare(ShupingApp(demo_archive), terminal_size=size, press=["f3", "down", "down"])


def test_branch_browser_filtered_to_new_branch(snap_compare, demo_archive):
    """Search narrows the list; the detail line explains why the branch is out of scope."""
    snap = load(demo_archive)
    late = next(b for b in snap.branches if snap.scope(b).reason == ScopeReason.NEW_BRANCH)
    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), press=["f3", "slash", *late, "enter"])
