"""The archive loaded into memory: every organisation, branch and campaign, and the
current campaign's reviews, with every broken record listed instead of crashing."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from schema.problems import Problem, problem_from_toml, problems_from_validation
from schema.records import ArchiveSettings, Branch, Campaign, Org, Record, Review
from schema.scope import ScopeCounts, ScopeResult, scope_of
from store import layout
from store.archive import Archive, Stored
from store.tomlio import blob_version


@dataclass
class Snapshot:
    settings: ArchiveSettings
    campaigns: dict[int, Stored[Campaign]] = field(default_factory=dict)
    orgs: dict[str, Stored[Org]] = field(default_factory=dict)
    branches: dict[str, Stored[Branch]] = field(default_factory=dict)
    reviews: dict[str, Stored[Review]] = field(default_factory=dict)  # current campaign, by branch id
    problems: list[Problem] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.settings.current_campaign

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

    def scope(self, branch_id: str) -> ScopeResult:
        branch = self.branches[branch_id].record
        org = self.orgs[branch.org].record
        exception = self.reviews[branch_id].record.scope_exception if branch_id in self.reviews else None
        return scope_of(branch, org, self.campaign, exception)

    def org_branches(self, org_id: str) -> list[Branch]:
        return [b.record for b in self.branches.values() if b.record.org == org_id]

    def scope_counts(self) -> dict[str, ScopeCounts]:
        counts = {org_id: ScopeCounts() for org_id in self.orgs}
        for branch_id, stored in self.branches.items():
            if stored.record.org in counts:
                counts[stored.record.org].add(self.scope(branch_id))
        return counts

    def sorted_orgs(self) -> list[Org]:
        return sorted((o.record for o in self.orgs.values()), key=lambda o: (o.order, o.id))


def load(archive: Archive, progress=None) -> Snapshot:
    """Read every live record. Broken ones go to ``problems``; the rest still loads."""
    root = archive.root
    problems: list[Problem] = []
    settings_stored, settings_problems = archive.try_read(ArchiveSettings, layout.SETTINGS)
    if settings_stored is None:
        from store.errors import StoreError

        raise StoreError("档案设置文件损坏：\n" + "\n".join(str(p) for p in settings_problems))
    snap = Snapshot(settings_stored.record)

    for path in sorted((root / "campaigns").glob("*.toml")):
        stored = _load(root, path, Campaign, problems)
        if stored:
            snap.campaigns[stored.record.year] = stored
    if snap.year not in snap.campaigns:
        problems.append(Problem(layout.SETTINGS, f"当前年度 {snap.year} 没有对应的 {layout.campaign_path(snap.year)}", key="current_campaign"))

    orgs_dir = root / "orgs"
    broken: set[str] = set()  # branch ids whose file is there but unreadable: reported once, above
    org_dirs = sorted((e for e in _scandir(orgs_dir) if e.is_dir()), key=lambda e: e.name)
    for n, org_dir in enumerate(org_dirs):
        org_path = Path(org_dir.path) / "org.toml"
        org = _load(root, org_path, Org, problems) if org_path.exists() else None
        if org is None and not org_path.exists():
            problems.append(Problem(layout.org_path(org_dir.name), "缺少二级党组织记录 org.toml"))
        if org is not None:
            if org.record.id != org_dir.name:
                problems.append(Problem(org.path, f"id “{org.record.id}” 与文件夹名 “{org_dir.name}” 不一致", key="id"))
            snap.orgs[org.record.id] = org
        for entry in sorted(_scandir(Path(org_dir.path) / "branches"), key=lambda e: e.name):
            if not entry.name.endswith(".toml"):
                continue
            branch = _load(root, Path(entry.path), Branch, problems)
            if branch is None:
                broken.add(entry.name[:-5])
                continue
            if branch.record.id != entry.name[:-5] or branch.record.org != org_dir.name:
                problems.append(Problem(branch.path, "id 或 org 与文件位置不一致", key="id"))
                continue
            if branch.record.id in snap.branches:
                problems.append(Problem(branch.path, f"党支部 id “{branch.record.id}” 重复", key="id"))
                continue
            snap.branches[branch.record.id] = branch
        for entry in _scandir(Path(org_dir.path) / str(snap.year) / "reviews"):
            if not entry.name.endswith(".toml"):
                continue
            review = _load(root, Path(entry.path), Review, problems)
            if review is not None:
                snap.reviews[review.record.branch] = review
        if progress:
            progress(n + 1, len(org_dirs))

    for branch in list(snap.branches.values()):
        if branch.record.org not in snap.orgs:
            problems.append(Problem(branch.path, f"所属二级党组织 “{branch.record.org}” 不存在", key="org"))
            del snap.branches[branch.record.id]
    for branch_id, review in list(snap.reviews.items()):
        if branch_id not in snap.branches:
            if branch_id not in broken:
                    problems.append(Problem(review.path, f"党支部 “{branch_id}” 不存在", key="branch"))
            del snap.reviews[branch_id]
    snap.problems = problems
    return snap


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
        problems.append(Problem(rel, f"无法读取：{e.strerror}"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(rel, "文件不是 UTF-8 编码，请另存为 UTF-8"))
        return None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        problems.append(problem_from_toml(rel, e))
        return None
    try:
        record = model.model_validate(raw)
    except ValidationError as e:
        problems.extend(problems_from_validation(rel, text, e))
        return None
    return Stored(record, rel, blob_version(data))
