"""The finalisation freeze, enforced where a commit is made (``Archive.commit``), so that no
caller — a screen, the CLI, an import, a publish — can change what a finalised grading froze.

The rule itself is pure (``schema.freeze``); this reads what it needs from the files as they
are on disk under the archive lock: each touched organisation-year's ``org-year.toml`` and,
for changes that could move the scope, the campaign and the branches' reviews.
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import TYPE_CHECKING, Iterable

from schema.freeze import frozen_parts, refusal
from schema.records import RECORD_TYPES, ArchiveSettings, Branch, Campaign, Finalisation, Org, OrgYear, Record, Review
from schema.scope import scope_of
from store import layout
from store.errors import FrozenError

if TYPE_CHECKING:
    from store.archive import Archive, Change

_YEAR = re.compile(r"^orgs/[^/]+/(\d{4})/")


class FreezeCheck:
    """``Archive.check_freeze``: refuse changes to a finalised organisation-year's frozen parts."""

    def __init__(self, archive: Archive):
        self.root = archive.root

    def __call__(self, changes: Iterable[Change], before: Iterable[bytes | None]) -> None:
        finalised: dict[tuple[str, int], Finalisation | None] = {}
        current_year: list[int] = []
        for change, old_data in zip(changes, before):
            kind = layout.kind_of(change.path)
            if kind not in ("review", "meeting", "ballot", "org_year", "branch", "org"):
                continue
            org = layout.org_of(change.path) or ""
            m = _YEAR.match(change.path)
            if m:
                year = int(m.group(1))
            else:
                if not current_year:
                    settings = self._read(layout.SETTINGS, ArchiveSettings)
                    current_year.append(settings.current_campaign if settings else 0)
                year = current_year[0]
            if (org, year) not in finalised:
                org_year = self._read(layout.org_year_path(org, year), OrgYear)
                finalised[(org, year)] = org_year.grading if org_year and org_year.grading.finalised else None
            fin = finalised[(org, year)]
            if fin is None:
                continue
            model = RECORD_TYPES[kind]
            old, new = _parse(old_data, model), _parse(change.data, model)
            scope = self._scope(kind, org, year, change.path) if kind in ("branch", "org") else None
            parts = frozen_parts(kind, old, new, scope)
            if parts:
                raise FrozenError(refusal(self._org_name(org), fin, change.path, parts))

    def _scope(self, kind: str, org: str, year: int, path: str):
        """What the finalised year's scope makes of a branch record, or of an organisation
        record (every branch of it): in/out and the reason."""
        campaign = self._read(layout.campaign_path(year), Campaign)
        if campaign is None:
            return None
        if kind == "branch":
            org_record = self._read(layout.org_path(org), Org)
            if org_record is None:
                return None

            def of_branch(branch):
                if branch is None:
                    return False  # a branch not on record is in no scope
                if not isinstance(branch, Branch):
                    return branch  # unreadable: equal to nothing else
                review = self._read(layout.review_path(org, year, branch.id), Review)
                return scope_of(branch, org_record, campaign, review.scope_exception if review else None).in_scope
            return of_branch
        branches = [b for b in (self._read(f"orgs/{org}/branches/{name}", Branch)
                                for name in sorted(_listdir(self.root / "orgs" / org / "branches"))
                                if name.endswith(".toml")) if b is not None]
        exceptions = {}
        for b in branches:
            review = self._read(layout.review_path(org, year, b.id), Review)
            exceptions[b.id] = review.scope_exception if review else None

        def of_org(org_record):
            if not isinstance(org_record, Org):
                return org_record
            return [scope_of(b, org_record, campaign, exceptions[b.id]).in_scope for b in branches]
        return of_org

    def _read(self, rel: str, model: type[Record]):
        try:
            data = (self.root / rel).read_bytes()
        except OSError:
            return None
        return _parse(data, model)

    def _org_name(self, org: str) -> str:
        record = self._read(layout.org_path(org), Org)
        return record.name if record else org


def _parse(data: bytes | None, model: type[Record]):
    """The record ``data`` holds; a file that does not parse counts as a record of its own,
    different from every other, so a frozen part can never change by way of a broken file."""
    if data is None:
        return None
    try:
        return model.model_validate(tomllib.loads(data.decode("utf-8")))
    except Exception:  # noqa: BLE001 - unreadable: compared as raw bytes
        return _Unreadable(data)


class _Unreadable:
    def __init__(self, data: bytes):
        self.data = data

    def __eq__(self, other) -> bool:
        return isinstance(other, _Unreadable) and other.data == self.data


def _listdir(folder) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


__all__ = ["FreezeCheck"]
