"""Next year's campaign from this year's (the 2020 notice's own is ``schema.campaign_setup.notice_2020``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from schema.carryover import carried_problems, next_campaign
from schema.records import ArchiveSettings, Campaign, Review
from schema.scope import scope_of
from schema.validation import parse_or_raise
from store import layout
from store.archive import Archive, Change, Stored
from store.errors import StoreError
from store.snapshot import load
from store.tomlio import render


@dataclass(frozen=True)
class NewCampaign:
    campaign: Campaign
    reviews: int  # in-scope branches given a review
    carried: int  # problems carried over, in all
    subject: str


def new_campaign(archive: Archive, year: int, progress: Callable[[int, int, str], None] | None = None) -> NewCampaign:
    """Create ``year``'s campaign from the current one and make it current, with a review for
    each branch in its scope carrying last year's named problems. One commit."""
    snap = load(archive)
    current = snap.year
    if current not in snap.campaigns:
        raise StoreError(f"当前年度 {current} 的设置 {layout.campaign_path(current)} 无法读取，请先修正（shuping check）。")
    broken = [p for p in snap.problems if layout.kind_of(p.file) in ("org", "branch", "review")]
    if broken:  # an unreadable review's problems would silently not be carried over
        raise StoreError("档案中有无法读取的记录，请先修正（shuping check）再新建年度：\n" + "\n".join(str(p) for p in broken))
    if year != current + 1:
        raise StoreError(f"只能由当前年度 {current} 新建下一年度 {current + 1}，不能新建 {year}。")
    path = layout.campaign_path(year)
    if archive.read_bytes(path)[0] is not None:
        raise StoreError(f"{path} 已存在：{year} 年度已经建立。")
    campaign = next_campaign(snap.campaign, year)
    changes = [Change(path, render(campaign).encode(), None)]
    settings_data, settings_version = archive.read_bytes(layout.SETTINGS)
    settings = snap.settings.model_copy(update={"current_campaign": year})
    ArchiveSettings.model_validate(settings.model_dump())
    changes.append(Change(layout.SETTINGS, render(settings, settings_data.decode("utf-8")).encode(), settings_version))

    branches = sorted(snap.branches.values(), key=lambda s: s.record.id)
    reviews = carried = 0
    lines = []
    for n, stored in enumerate(branches, start=1):
        branch = stored.record
        if not scope_of(branch, snap.orgs[branch.org].record, campaign).in_scope:
            continue
        last = snap.reviews.get(branch.id)
        problems = carried_problems(last.record) if last else []
        review = Review(branch=branch.id, org=branch.org, year=year, carried=problems)
        changes.append(Change(layout.review_path(branch.org, year, branch.id), render(review).encode(), None))
        reviews += 1
        carried += len(problems)
        if problems:
            lines.append(f"{branch.name}：结转 {len(problems)} 条")
        if progress and n % 200 == 0:
            progress(n, len(branches), "准备")
    subject = f"新建{year}年度：沿用{current}年度设置，{reviews} 个党支部纳入，结转上年度问题 {carried} 条"
    archive.commit(changes, subject, "\n".join(lines))
    return NewCampaign(campaign, reviews, carried, subject)


def change_year(archive: Archive, stored: Stored[Campaign], campaign: Campaign, message: str) -> None:
    """Save ``campaign`` under its new year: allowed only while nothing is recorded for the old
    year yet (a fresh archive set up for the wrong year). Moves the file and the current year."""
    old = stored.record.year
    if archive.read_bytes(layout.campaign_path(campaign.year))[0] is not None:
        raise StoreError(f"{layout.campaign_path(campaign.year)} 已存在，不能把 {old} 年度改为 {campaign.year} 年度。")
    used = sorted(p.relative_to(archive.root).as_posix() for p in archive.root.glob(f"orgs/*/{old}") if p.is_dir())
    if used:
        raise StoreError(f"已有 {old} 年度的记录（{used[0]} 等），不能修改年度；建立下一年度请用“新年度”（Ctrl+N）。")
    changes = [Change(stored.path, None, stored.version),
               Change(layout.campaign_path(campaign.year), render(campaign).encode(), None)]
    settings_data, settings_version = archive.read_bytes(layout.SETTINGS)
    current = parse_or_raise(ArchiveSettings, settings_data.decode("utf-8"), layout.SETTINGS)
    if current.current_campaign == old:
        updated = current.model_copy(update={"current_campaign": campaign.year})
        changes.append(Change(layout.SETTINGS, render(updated, settings_data.decode("utf-8")).encode(), settings_version))
    archive.commit(changes, message)
