"""The load cache: unchanged organisation folders are not re-parsed; any change is."""

from __future__ import annotations

import json

import pytest

import store.snapshot
from store.cache import LoadCache
from store.snapshot import load


@pytest.fixture
def reads(monkeypatch):
    """Names of the organisation folders load() actually parsed."""
    seen: list[str] = []
    real = store.snapshot.read_org

    def spy(root, name, year):
        seen.append(name)
        return real(root, name, year)

    monkeypatch.setattr(store.snapshot, "read_org", spy)
    return seen


def same(a, b) -> bool:
    return (a.orgs, a.branches, a.reviews, a.problems) == (b.orgs, b.branches, b.reviews, b.problems)


def cache_file(archive):
    return LoadCache(archive, 2020).file


def test_second_load_parses_nothing_and_equals_a_fresh_read(demo_archive, reads):
    first = load(demo_archive)
    assert len(reads) == 9
    reads.clear()
    second = load(demo_archive)
    assert reads == []
    assert same(second, first) and same(second, load(demo_archive, cache=False))
    assert cache_file(demo_archive).stat().st_mode & 0o077 == 0
    assert demo_archive.git.run("status", "--porcelain", "--ignored") == ""  # kept inside .git, out of sight


def test_a_save_re_reads_only_that_organisation(demo_archive, reads):
    snap = load(demo_archive)
    stored = snap.branches["b0001"]
    demo_archive.save(stored, stored.record.model_copy(update={"secretary": "新书记"}), "改书记")
    reads.clear()
    snap = load(demo_archive)
    assert reads == ["chem"] and snap.branches["b0001"].record.secretary == "新书记"


def test_uncommitted_and_untracked_changes_are_never_served_from_the_cache(demo_archive, reads):
    load(demo_archive)
    path = demo_archive.root / "orgs/math/branches/b0013.toml"
    path.write_text(path.read_text().replace('secretary = "', 'secretary = "手改', 1))
    new = demo_archive.root / "orgs/lib/branches/b9999.toml"
    new.write_text(path.read_text().replace("b0013", "b9999").replace('org = "math"', 'org = "lib"'))
    reads.clear()
    snap = load(demo_archive)
    assert sorted(reads) == ["lib", "math"]
    assert snap.branches["b0013"].record.secretary.startswith("手改") and "b9999" in snap.branches
    assert same(snap, load(demo_archive, cache=False))


def test_a_broken_record_is_reported_from_the_cache_too(demo_archive):
    path = demo_archive.root / "orgs/chem/branches/b0002.toml"
    path.write_text("name = = 1\n")
    demo_archive.git.run("commit", "-qam", "损坏")
    first = load(demo_archive)
    assert [p.file for p in first.problems] == ["orgs/chem/branches/b0002.toml"]
    assert same(load(demo_archive), first)


@pytest.mark.parametrize("damage", ["garbage", "other stamp", "wrong entry", "group writable"])
def test_a_damaged_or_foreign_cache_is_not_used(demo_archive, reads, damage):
    load(demo_archive)
    file = cache_file(demo_archive)
    data = json.loads(file.read_text())
    if damage == "garbage":
        file.write_text("{not json")
    elif damage == "other stamp":
        data["stamp"] = "0" * 40
        file.write_text(json.dumps(data))
    elif damage == "wrong entry":
        data["orgs"]["chem"]["part"] = '{"branches": [["x", null, {"id": 5}]]}'
        file.write_text(json.dumps(data))
    else:
        file.chmod(0o664)
    reads.clear()
    snap = load(demo_archive)
    assert ("chem" in reads) and same(snap, load(demo_archive, cache=False))
