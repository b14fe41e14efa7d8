"""Ballots on disk: one file per paper ballot per keying pass, committed one by one by the
service's writer (``store.writer``) so the keyboard never waits for git.

The ballot being keyed is written (atomically, fsynced) to a machine-local draft file after
every mark; a finished ballot is committed, then its draft is removed. After a crash the
committed ballots are in the archive and the open one's marks are in its draft.
"""

from __future__ import annotations

import json
import os
import tomllib

from schema.keying import PASS_NAMES
from schema.records import Ballot
from store import layout
from store.archive import Archive, Change, Stored
from store.tomlio import blob_version


def load_ballots(archive: Archive, org: str, year: int, entry: int) -> dict[int, Stored[Ballot]]:
    """Every committed ballot of one pass, by serial."""
    folder = archive.root / layout.ballot_dir(org, year, entry)
    out: dict[int, Stored[Ballot]] = {}
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return out
    for name in names:
        if not name.endswith(".toml"):
            continue
        stored = archive.read(Ballot, f"{layout.ballot_dir(org, year, entry)}/{name}")
        out[stored.record.serial] = stored
    return out


def load_draft(archive: Archive, org: str, year: int, entry: int) -> Ballot | None:
    return load_draft_file(archive, layout.draft_path(org, year, entry))


def load_draft_file(archive: Archive, path: str) -> Ballot | None:
    try:
        return Ballot.model_validate(tomllib.loads((archive.root / path).read_text("utf-8")))
    except Exception:  # a draft is a second copy; a missing or broken one is ignored, never fatal
        return None


def render_ballot(ballot: Ballot) -> str:
    """TOML text of a ballot. Ballots are machine-written and never hand-edited, so they skip
    tomlkit (about 3 ms a ballot) for this direct emitter (tens of µs): it keeps Enter →
    committed short. JSON string escapes are valid TOML basic-string escapes."""
    q = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    lines = [f"schema_version = {ballot.schema_version}", f"org = {q(ballot.org)}", f"year = {ballot.year}",
             f"entry = {ballot.entry}", f"serial = {ballot.serial}"]
    if ballot.group:
        lines.append(f"group = {q(ballot.group)}")
    lines.append(f"status = {q(ballot.status.value)}")
    if ballot.reason:
        lines.append(f"reason = {q(ballot.reason)}")
    if ballot.corrections:
        lines.append(f"corrections = [{', '.join(q(c) for c in ballot.corrections)}]")
    if ballot.marks:
        lines += ["", "[marks]"] + [f"{q(k)} = {q(v)}" for k, v in ballot.marks.items()]
    if ballot.points:
        lines += ["", "[points]"]
        for branch, points in ballot.points.items():
            values = ", ".join(f"{q(k)} = {_number(v)}" for k, v in points.items())
            lines.append(f"{q(branch)} = {{ {values} }}" if values else f"{q(branch)} = {{}}")
    return "\n".join(lines) + "\n"


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def ballot_change(ballot: Ballot, base: str | None) -> tuple[Change, str]:
    """The change that writes ``ballot`` over version ``base``, and the version it will have."""
    data = render_ballot(ballot).encode()
    return Change(layout.ballot_path(ballot.org, ballot.year, ballot.entry, ballot.serial), data, base), blob_version(data)


__all__ = ["PASS_NAMES", "ballot_change", "load_ballots", "load_draft", "load_draft_file", "render_ballot"]
