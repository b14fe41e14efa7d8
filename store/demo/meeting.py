"""Demo meetings: three held and published (both keying passes, a resolved double-entry
mismatch, a corrected ballot, an invalid ballot), one set up for next week (logi). The
grading step adds the meetings counted on paper (``paper_meeting``) for the others.

Ballots are committed in batches here so the demo builds fast; real keying commits each
ballot on its own."""

from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

from schema.kinds import BallotStatus, MeetingStage, ReportMode
from schema.records import Attendance, Ballot, BallotCounts, Meeting
from store import layout
from store.archive import Archive, Stored
from store.ballots import PASS_NAMES, ballot_change
from store.demo import timeline
from store.demo.names import person
from store.meeting import GROUPS, draw_lots, freeze, load_meeting, publish_changes, reconcile, record_change
from store.snapshot import load

YEAR = 2020
TZ = ZoneInfo("Asia/Shanghai")
COMMENTS = [
    "履职尽责意识强，“三会一课”记录规范；发展党员程序严谨。下一步要在专任教师中发展党员上再下功夫。",
    "支部活动形式较丰富，但与业务工作结合不够紧密；问题查摆不够深入，整改措施要更具体、可检查。",
    "述职实事求是，问题找得准。建议加强对青年党员的思想引领，按期做好换届准备。",
    "主题党日开展较好，党费收缴按月足额。存在问题部分讲得偏少，下一步思路要更聚焦。",
]

HELD = [
    # org, date, place, ballots collected, not returned, double entry
    ("chem", date(2021, 1, 12), "化学楼 301 会议室", 34, 1, True),
    ("math", date(2021, 1, 14), "理科楼 202 会议室", 24, 0, True),
    ("lang", date(2021, 1, 15), "外语楼 学术报告厅", 22, 0, False),
]


def attendance(rng: random.Random, branches: int, total: int) -> list[Attendance]:
    due = [7, branches, 6, max(4, total + 4 - 7 - branches - 6)]
    present = list(due)
    while sum(present) > total:
        i = rng.choice((2, 3))
        if present[i] > 1:
            present[i] -= 1
    return [Attendance(group=g, due=d, present=p) for g, d, p in zip(GROUPS, due, present)]


def build(archive: Archive) -> None:
    rng = random.Random(2021)
    snap = load(archive)
    campaign = snap.campaign
    for org, held, place, collected, missing, double in HELD:
        order = [b.id for b in sorted(snap.org_branches(org), key=lambda b: b.id) if snap.scope(b.id).in_scope]
        order, seed = draw_lots(order, seed=rng.randrange(1, 10**6))
        name = snap.orgs[org].record.name
        meeting = Meeting(
            org=org, year=YEAR, held=held, place=place, chair=person(rng), attendance=attendance(rng, len(order), collected + missing),
            observers=[f"组织部 {person(rng)}"], order=order, lot_seed=seed, double_entry=double,
            ballots=BallotCounts(issued=collected + missing, collected=collected, not_returned=missing),
            stage=MeetingStage.COUNTING,
        )
        written = order[-1]
        changes = []
        for position, b in enumerate(order, start=1):
            stored = snap.review(b)
            part = stored.record.meeting.model_copy(update={"comment": rng.choice(COMMENTS), "order": position})
            if b == written:
                part = part.model_copy(update={"mode": ReportMode.WRITTEN, "mode_reason": "外出参加援疆工作，提交书面述职"})
            change, _ = record_change(stored, stored.record.model_copy(update={"meeting": part}), archive)
            changes.append(change)
        counted = datetime(held.year, held.month, held.day, 16, 0, tzinfo=TZ)  # after the reports
        meeting.frozen = freeze(meeting, campaign, counted)
        change, stored_meeting = record_change(load_meeting(archive, org, YEAR), meeting, archive)
        timeline.at(counted)  # order, modes and 点评 recorded, then the ballots keyed
        archive.commit([change, *changes], f"评议会设置：{name}；抽签种子 {seed}",
                       f"{len(order)} 位书记述职（1 位书面述职），点评已录入。")
        quality = {b: rng.uniform(0.2, 0.75) for b in order}
        groups = [g.name for g in campaign.scoring.rater_groups]
        members = next((a.present for a in meeting.attendance if a.group == "委员"), 0)
        first = [
            _ballot(rng, org, 1, n, order, quality, _group(groups, n, members)) for n in range(1, collected + 1)
        ]
        if org == "math":
            first[5] = first[5].model_copy(update={"status": BallotStatus.INVALID, "reason": "票面涂改无法辨认"})
        passes = [first]
        if double:
            second = [b.model_copy(update={"entry": 2}) for b in first]
            if org == "chem":  # one mis-keyed cell in the second pass, resolved below
                b = second[9]
                column = order[3]
                wrong = "一般" if b.marks[column] != "一般" else "较好"
                second[9] = b.model_copy(update={"marks": {**b.marks, column: wrong}})
            passes.append(second)
        versions: dict[tuple[int, int], str] = {}
        for entry, ballots in enumerate(passes, start=1):
            for start in range(0, len(ballots), 40):
                batch = ballots[start:start + 40]
                made = [ballot_change(b, None) for b in batch]
                for b, (_, v) in zip(batch, made):
                    versions[(entry, b.serial)] = v
                archive.commit([c for c, _ in made],
                               f"录入测评票：{name} 第 {batch[0].serial}–{batch[-1].serial} 号（{PASS_NAMES[entry]}）")
        if org == "chem":
            serial, column = 10, order[3]
            right = first[9].marks[column]
            fixed = [ballot_change(b.model_copy(update={"marks": {**b.marks, column: right},
                                                        "corrections": [*b.corrections, "双录核对：核对纸质票，第二遍看错列"]}),
                                   versions[(e, serial)])[0] for e, b in ((1, first[9]), (2, passes[1][9]))]
            who = snap.branches[column].record.secretary
            archive.commit(fixed, f"双录核对：{name} 第 {serial} 号 {who} → {right}", "原因：核对纸质票，第二遍看错列")
        if org == "lang":
            b = first[6]
            column = order[0]
            new = "较好" if b.marks[column] != "较好" else "好"
            fixed = b.model_copy(update={"marks": {**b.marks, column: new}, "corrections": ["录入时看错行"]})
            archive.commit([ballot_change(fixed, versions[(1, 7)])[0]], f"更正测评票：{name} 第 7 号（{PASS_NAMES[1]}）",
                           "原因：录入时看错行")
        snap = load(archive)
        count = reconcile(archive, meeting, {b: snap.branches[b].record.secretary for b in order})
        reviews = {b: snap.review(b) for b in order}
        stored_meeting = load_meeting(archive, org, YEAR)
        published = datetime(held.year, held.month, held.day, 17, 30, tzinfo=TZ)
        changes, _, _ = publish_changes(archive, stored_meeting, reviews, count.tallies, count.valid, count.invalid,
                                        now=published)
        timeline.at(published)
        archive.commit(changes, f"公布测评结果：{name}（有效票 {count.valid} 张）",
                       f"有效票 {count.valid} 张，无效票 {count.invalid} 张。")
    _planned(archive, snap, rng)


def _group(groups: list[str], serial: int, members: int) -> str:
    """Where the campaign weights rater groups, the committee members' stack is keyed first."""
    if not groups:
        return ""
    return groups[0] if serial <= members or len(groups) == 1 else groups[1]


def _ballot(
    rng: random.Random, org: str, entry: int, serial: int, order: list[str], quality: dict[str, float], group: str = ""
) -> Ballot:
    marks = {}
    for b in order:
        q = quality[b]
        r = rng.random()
        marks[b] = "好" if r < q else "较好" if r < q + (1 - q) * 0.7 else "一般" if r < 0.985 else "差"
        if rng.random() < 0.02:
            marks[b] = "弃权"
    return Ballot(org=org, year=YEAR, entry=entry, serial=serial, group=group, marks=marks, status=BallotStatus.FINISHED)


PLANNED = "logi"  # its meeting is next week: no results, nothing graded


def _planned(archive: Archive, snap, rng: random.Random) -> None:
    org = PLANNED
    order = [b.id for b in sorted(snap.org_branches(org), key=lambda b: b.id) if snap.scope(b.id).in_scope]
    timeline.at(datetime(2021, 1, 18, 9, 0, tzinfo=TZ))  # set up the week before
    meeting = Meeting(
        org=org, year=YEAR, held=date(2021, 1, 27), place="后勤服务楼 二楼会议室", chair=person(rng),
        attendance=[Attendance(group="委员", due=5), Attendance(group="党支部书记", due=len(order)),
                    Attendance(group="党员干部", due=6), Attendance(group="师生党员代表", due=12)],
        observers=[f"组织部 {person(rng)}"], order=order, ballots=BallotCounts(issued=5 + len(order) + 18),
    )
    change, _ = record_change(Stored(meeting, layout.meeting_path(org, YEAR), None), meeting, archive)
    archive.commit([change], f"评议会设置：{snap.orgs[org].record.name}（定于 2021年1月27日）")


# meetings counted on paper (no ballots keyed): org → date, place
PAPER = {
    "mech": (date(2021, 1, 8), "机械楼 一楼报告厅"),
    "med": (date(2021, 1, 11), "医学楼 报告厅"),
    "lib": (date(2021, 1, 13), "图书馆 三楼会议室"),
    "admin": (date(2021, 1, 16), "行政楼 第一会议室"),
}


def paper_meeting(org: str, branches: list[str], valid: int, rng: random.Random) -> Meeting:
    """A meeting held and counted on paper: published with its counts, no ballots keyed.
    ``valid``: the valid ballots every secretary's tally counts."""
    held, place = PAPER[org]
    order, seed = draw_lots(branches, seed=rng.randrange(1, 10**6))
    missing = rng.choice((0, 0, 1))
    return Meeting(
        org=org, year=YEAR, held=held, place=place, chair=person(rng),
        attendance=attendance(rng, len(order), valid + missing), observers=[f"组织部 {person(rng)}"],
        order=order, lot_seed=seed, double_entry=False,
        ballots=BallotCounts(issued=valid + missing, collected=valid, not_returned=missing, valid=valid),
        published=True, stage=MeetingStage.PUBLISHED,
        published_at=datetime(held.year, held.month, held.day, 17, 30, tzinfo=TZ).isoformat(timespec="seconds"),
    )


__all__ = ["PAPER", "PLANNED", "build", "paper_meeting"]
