"""The archive loaded into memory: every organisation, branch and campaign, and the
current campaign's reviews, meetings and organisation-year records, with every broken
record listed instead of crashing.

A snapshot is immutable: its record maps are read-only views, and a change makes a new
snapshot (``with_saved``), which is how the store service hands the app its one source of
truth after every intent."""

from __future__ import annotations

import gc
import os
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from pydantic import ValidationError

from schema.problems import Problem, problem_from_toml, problems_from_validation
from schema.records import ArchiveSettings, Branch, Campaign, Meeting, Org, OrgYear, Record, Review
from schema.scope import ScopeCounts, ScopeResult, scope_of
from store import layout
from store.archive import Archive, Stored
from store.cache import LoadCache, OrgPart
from store.errors import StoreError, os_reason
from store.recovery import aside_problems
from store.tomlio import blob_version


def _frozen(mapping) -> Mapping:
    return mapping if isinstance(mapping, MappingProxyType) else MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)  # compared by identity: a new snapshot is a change
class Snapshot:
    settings: ArchiveSettings
    campaigns: Mapping[int, Stored[Campaign]] = field(default_factory=dict)
    orgs: Mapping[str, Stored[Org]] = field(default_factory=dict)
    branches: Mapping[str, Stored[Branch]] = field(default_factory=dict)
    reviews: Mapping[str, Stored[Review]] = field(default_factory=dict)  # current campaign, by branch id
    problems: list[Problem] = field(default_factory=list)
    archive_year: int = 0  # the archive's current campaign; ``year`` differs when a past year is open
    meetings: Mapping[str, Stored[Meeting]] = field(default_factory=dict)  # current campaign, by org id (saved ones)
    org_years: Mapping[str, Stored[OrgYear]] = field(default_factory=dict)  # current campaign, by org id (saved ones)
    aside: tuple[Problem, ...] = ()  # files recovery moved aside instead of committing (store.recovery), for F10

    def __post_init__(self) -> None:
        for name in ("campaigns", "orgs", "branches", "reviews", "meetings", "org_years"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def with_saved(self, *saved: Stored) -> Snapshot:
        """A new snapshot with records just committed in place of what they replace."""
        maps = {name: dict(getattr(self, name)) for name in ("campaigns", "branches", "reviews", "meetings", "org_years", "orgs")}
        for stored in saved:
            record = stored.record
            if isinstance(record, Branch):
                maps["branches"][record.id] = stored
            elif isinstance(record, Org):
                maps["orgs"][record.id] = stored
            elif isinstance(record, Campaign):
                maps["campaigns"][record.year] = stored
            elif isinstance(record, Review) and record.year == self.year:
                maps["reviews"][record.branch] = stored
            elif isinstance(record, Meeting) and record.year == self.year:
                maps["meetings"][record.org] = stored
            elif isinstance(record, OrgYear) and record.year == self.year:
                maps["org_years"][record.org] = stored
            elif isinstance(record, ArchiveSettings):  # the open year stays open
                maps["settings"] = record.model_copy(update={"current_campaign": self.settings.current_campaign})
        return replace(self, **maps)

    @property
    def year(self) -> int:
        return self.settings.current_campaign

    @property
    def past_year(self) -> bool:
        return bool(self.archive_year) and self.year != self.archive_year

    @property
    def campaign(self) -> Campaign:
        return self.campaigns[self.year].record

    def review(self, branch_id: str) -> Stored[Review]:
        """The branch's review in the current campaign; a fresh one if none is saved yet."""
        found = self.reviews.get(branch_id)
        if found:
            return found
        branch = self.branches[branch_id].record
        return Stored(
            Review(branch=branch.id, org=branch.org, year=self.year),
            layout.review_path(branch.org, self.year, branch.id),
            None,
        )

    def meeting(self, org_id: str) -> Stored[Meeting]:
        """The organisation's meeting in the current campaign; a new one if none is saved yet."""
        return self.meetings.get(org_id) or Stored(Meeting(org=org_id, year=self.year), layout.meeting_path(org_id, self.year), None)

    def org_year(self, org_id: str) -> Stored[OrgYear]:
        """The organisation's own record for the current campaign; a new one if none is saved yet."""
        return self.org_years.get(org_id) or Stored(OrgYear(org=org_id, year=self.year), layout.org_year_path(org_id, self.year), None)

    def scope(self, branch_id: str) -> ScopeResult:
        branch = self.branches[branch_id].record
        org = self.orgs[branch.org].record
        exception = self.reviews[branch_id].record.scope_exception if branch_id in self.reviews else None
        return scope_of(branch, org, self.campaign, exception)

    def org_branches(self, org_id: str) -> list[Branch]:
        return list(self._branches_by_org.get(org_id, ()))

    @cached_property
    def _branches_by_org(self) -> dict[str, list[Branch]]:
        found: dict[str, list[Branch]] = {}
        for stored in self.branches.values():
            found.setdefault(stored.record.org, []).append(stored.record)
        return found

    def scope_counts(self) -> dict[str, ScopeCounts]:
        counts = {org_id: ScopeCounts() for org_id in self.orgs}
        for branch_id, stored in self.branches.items():
            if stored.record.org in counts:
                counts[stored.record.org].add(self.scope(branch_id))
        return counts

    def sorted_orgs(self) -> list[Org]:
        return sorted((o.record for o in self.orgs.values()), key=lambda o: (o.order, o.id))


def read_org(root: Path, name: str, year: int) -> OrgPart:
    folder = root / "orgs" / name
    part = OrgPart(name, None, [], [], [], [])
    org_path = folder / "org.toml"
    if org_path.exists():
        part.org = _load(root, org_path, Org, part.problems)
    else:
        part.problems.append(Problem(layout.org_path(name), "缺少二级党组织记录 org.toml"))
    if part.org is not None and part.org.record.id != name:
        part.problems.append(Problem(part.org.path, f"id “{part.org.record.id}” 与文件夹名 “{name}” 不一致", key="id"))
    for entry in sorted(_scandir(folder / "branches"), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        branch = _load(root, Path(entry.path), Branch, part.problems)
        if branch is None:
            part.broken.append(entry.name[:-5])
        elif branch.record.id != entry.name[:-5] or branch.record.org != name:
            part.problems.append(Problem(branch.path, "id 或 org 与文件位置不一致", key="id"))
        else:
            part.branches.append(branch)
    for entry in _scandir(folder / str(year) / "reviews"):
        if entry.name.endswith(".toml"):
            review = _load(root, Path(entry.path), Review, part.problems)
            if review is not None:
                part.reviews.append(review)
    for path, model, attr in ((folder / str(year) / "meeting.toml", Meeting, "meeting"),
                              (folder / str(year) / "org-year.toml", OrgYear, "org_year")):
        if path.exists():
            setattr(part, attr, _load(root, path, model, part.problems))
    return part


def load(archive: Archive, progress=None, cache: bool = True, freeze: bool = False, year: int | None = None) -> Snapshot:
    """Read every live record. Broken ones go to ``problems``; the rest still loads.

    Organisation folders unchanged since the last load come from ``store.cache``.

    ``freeze``: the caller keeps the snapshot for long (the app). Its objects — about a
    million at 30,000 branches — then leave the cyclic garbage collector (``gc.freeze``),
    which would otherwise walk them all on its next collections (≈1 s), and again on every
    full one. Records hold no reference cycles: a replaced snapshot is still freed. The
    caller calls ``gc.unfreeze()`` when done, so that garbage frozen along is collected.

    ``year``: read that campaign instead of the archive's current one (looking back at a past
    year, whose rectification goes on); the archive's settings are not changed."""
    if freeze and gc.get_freeze_count():
        # a reload: collect the garbage made since the last freeze before it is frozen along
        # (cheap: frozen objects are not walked)
        gc.collect()
    gc_was_on = gc.isenabled()
    gc.disable()  # tens of thousands of new objects and no garbage: collecting would only slow this down
    try:
        snap = _load_all(archive, progress, cache, year)
        if freeze:
            gc.freeze()
        return snap
    finally:
        if gc_was_on:
            gc.enable()


def _load_all(archive: Archive, progress, cache: bool, year: int | None = None) -> Snapshot:
    root = archive.root
    problems: list[Problem] = []
    settings_stored, settings_problems = archive.try_read(ArchiveSettings, layout.SETTINGS)
    if settings_stored is None:
        raise StoreError("档案设置文件损坏：\n" + "\n".join(str(p) for p in settings_problems))
    settings = settings_stored.record
    if year is not None and year != settings.current_campaign:
        if not (root / layout.campaign_path(year)).exists():
            years = sorted(int(p.stem) for p in (root / "campaigns").glob("*.toml") if p.stem.isdigit())
            raise StoreError(f"档案中没有 {year} 年度（{layout.campaign_path(year)}）。已有年度：{'、'.join(map(str, years)) or '无'}。")
        settings = settings.model_copy(update={"current_campaign": year})
    year = settings.current_campaign
    campaigns: dict[int, Stored[Campaign]] = {}
    orgs: dict[str, Stored[Org]] = {}
    branches: dict[str, Stored[Branch]] = {}
    reviews: dict[str, Stored[Review]] = {}
    meetings: dict[str, Stored[Meeting]] = {}
    org_years: dict[str, Stored[OrgYear]] = {}

    for path in sorted((root / "campaigns").glob("*.toml")):
        stored = _load(root, path, Campaign, problems)
        if stored:
            campaigns[stored.record.year] = stored
    if year not in campaigns:
        # every deadline, scope rule and figure comes from the year's campaign: nothing can be shown without it
        path = layout.campaign_path(year)
        own = [str(p) for p in problems if p.file == path]
        raise StoreError(f"{year} 年度的设置 {path} " + ("无法读取，请修正后再打开（shuping check）：\n" + "\n".join(own) if own
                         else f"不存在（{layout.SETTINGS} 的 current_campaign = {year}）。"))

    names = sorted(e.name for e in _scandir(root / "orgs") if e.is_dir() and _holds_files(e.path))
    read = lambda name: read_org(root, name, year)  # noqa: E731
    cached = LoadCache(archive, year) if cache else None
    if cached:
        read = cached.parts(names, read)
    broken: set[str] = set()  # reported once, by read_org
    broken_orgs: set[str] = set()  # folders whose org.toml is missing or unreadable: reported once, by read_org
    for n, name in enumerate(names):
        part = read(name)
        problems.extend(part.problems)
        broken.update(part.broken)
        if part.org is not None:
            orgs[part.org.record.id] = part.org
        else:
            broken_orgs.add(name)
        for branch in part.branches:
            if branch.record.id in branches:
                problems.append(Problem(branch.path, f"党支部 id “{branch.record.id}” 重复", key="id"))
            else:
                branches[branch.record.id] = branch
        for review in part.reviews:
            reviews[review.record.branch] = review
        if part.org is not None and part.meeting is not None:
            meetings[part.org.record.id] = part.meeting
        if part.org is not None and part.org_year is not None:
            org_years[part.org.record.id] = part.org_year
        if progress:
            progress(n + 1, len(names))
    if cached:
        cached.save(names)

    hidden: dict[str, int] = {}  # branches per folder whose org.toml is broken: not shown until it is fixed
    for branch in list(branches.values()):
        if branch.record.org not in orgs:
            if branch.record.org in broken_orgs:
                broken.add(branch.record.id)
                hidden[branch.record.org] = hidden.get(branch.record.org, 0) + 1
            else:
                problems.append(Problem(branch.path, f"所属二级党组织 “{branch.record.org}” 不存在", key="org"))
            del branches[branch.record.id]
    for name, count in sorted(hidden.items()):
        problems.append(Problem(layout.org_path(name), f"修正此文件前，其下 {count} 个党支部及其评议记录不显示"))
    for branch_id, review in list(reviews.items()):
        if branch_id not in branches:
            if branch_id not in broken:
                problems.append(Problem(review.path, f"党支部 “{branch_id}” 不存在", key="branch"))
            del reviews[branch_id]
    return Snapshot(settings, campaigns, orgs, branches, reviews, problems,
                    archive_year=settings_stored.record.current_campaign, meetings=meetings, org_years=org_years,
                    aside=tuple(aside_problems(root)))


def _holds_files(folder: str) -> bool:
    """Whether a folder holds any file: the empty folders an interrupted import leaves are not records."""
    return any(files for _, _, files in os.walk(folder))


def _scandir(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except FileNotFoundError:
        return []


def _load(root: Path, path: Path, model: type[Record], problems: list[Problem]):
    rel = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as e:
        problems.append(Problem(rel, f"无法读取：{os_reason(e)}"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(rel, "文件不是 UTF-8 编码，请另存为 UTF-8"))
        return None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        problems.append(problem_from_toml(rel, e, text))
        return None
    try:
        record = model.model_validate(raw)
    except ValidationError as e:
        problems.extend(problems_from_validation(rel, text, e))
        return None
    return Stored(record, rel, blob_version(data))
