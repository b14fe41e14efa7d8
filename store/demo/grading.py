"""Demo: the meetings counted on paper (mech, med, lib, admin) with their results, grades
for six organisations (three finalised), 约谈 for the 一般/差 branches (one still missing),
rectification tasks in every state (some overdue on the demo's today, 2021-01-25) and
feedback delivered in some organisations."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from schema.dates import cn_date
from schema.ballots import COUNTED, GRADES as GRADE_NAMES
from schema.followup import draft_feedback
from schema.grading import Entry, suggest
from schema.paper import paper_tallies
from schema.kinds import Grade, ProblemSource, TaskStatus
from schema.records import Feedback, Interview, Review, Task
from store import layout
from store.archive import Archive, Change, Stored
from store.demo import timeline
from store.demo.meeting import PAPER, paper_meeting
from store.demo.names import person
from store.grading import GradeSet, finalise, save_grades
from store.snapshot import load
from store.tomlio import blob_version, render

COMMITTEE = 7  # 委员 present at every demo meeting (store/demo/meeting.attendance)
GRADED = ["chem", "math", "mech", "med", "lib", "admin"]  # lang and logi are left to grade
FINALISED = ["chem", "math", "admin"]
NO_INTERVIEW_YET = "mech"  # its 一般 branch has no 约谈 record: the dashboard shows it
FEEDBACK_DELIVERED = {"chem": date(2021, 1, 22), "math": date(2021, 1, 23)}
FINALISED_AT = datetime(2021, 1, 21, 16, 30, tzinfo=timezone(timedelta(hours=8)))
# when each part is entered: the paper counts after the last keyed meeting (1月15日), grades
# before finalising, 约谈 and tasks once the last 约谈 and feedback are done (tasks signed off 1月24日)
ENTERED = {"paper": timeline.on(2021, 1, 18, 14), "grades": timeline.on(2021, 1, 20, 9),
           "followup": timeline.on(2021, 1, 24, 16)}

# profile → (vote shares 好/较好/一般/差, component range)
PROFILES = {
    "strong": ((0.80, 0.17, 0.03, 0.0), (88, 98)),
    "good": ((0.45, 0.45, 0.10, 0.0), (78, 90)),
    "weak": ((0.10, 0.40, 0.40, 0.10), (60, 72)),
    "poor": ((0.02, 0.18, 0.45, 0.35), (45, 60)),
}

PROBLEMS = [
    ("“三会一课”记录不规范，部分会议无签到", ProblemSource.COMMENT, "按月检查记录本，支委会专人记录"),
    ("发展党员工作在专任教师中进展缓慢", ProblemSource.RATING, "制定青年教师入党积极分子培养计划"),
    ("党费未按月足额收缴", ProblemSource.INSPECTION, "使用“党费云”按月提醒并核对"),
    ("支委未配齐，宣传委员空缺", ProblemSource.SELF, "年内补选宣传委员"),
    ("联系服务师生不够，走访记录少", ProblemSource.COMMENT, "支委每人每学期走访不少于 5 人次"),
    ("省党务信息系统数据更新不及时", ProblemSource.INSPECTION, "指定专人每月核对系统数据"),
]


def build(archive: Archive) -> None:
    rng = random.Random(6)
    snap = load(archive)
    campaign = snap.campaign
    scoring = campaign.scoring

    def in_scope(org_id: str) -> list[str]:
        return sorted(b.id for b in snap.org_branches(org_id) if snap.scope(b.id).in_scope)

    orgs = [o.id for o in snap.sorted_orgs() if in_scope(o.id)]
    reviews: dict[str, Stored[Review]] = {i: snap.review(i) for o in orgs for i in in_scope(o)}
    names = {i: snap.branches[i].record.name for i in reviews}

    def commit(pairs: list[tuple[str, Review]], message: str, extra: list[Change] = (), body: str = "") -> None:
        # the demo's own files have no hand-written comments to keep: render afresh (fast)
        changes = [Change(reviews[i].path, render(r).encode(), reviews[i].version) for i, r in pairs]
        archive.commit([*changes, *extra], message, body)
        for (i, r), c in zip(pairs, changes):
            reviews[i] = Stored(r, reviews[i].path, blob_version(c.data))

    # profiles: most branches good or strong, one weak per organisation, one poor in mech
    profile: dict[str, str] = {}
    for org_id in orgs:
        ids = in_scope(org_id)
        shuffled = ids[:]
        rng.shuffle(shuffled)
        for n, i in enumerate(shuffled):
            profile[i] = "strong" if n < max(1, len(ids) * 2 // 5) else "good"
        if len(ids) >= 4:
            profile[shuffled[-1]] = "weak"
        if org_id == "mech":
            profile[shuffled[-2]] = "poor"

    # 1. the meetings counted on paper (store/demo/meeting.py keyed the others' ballots), one commit each
    timeline.at(ENTERED["paper"])
    side = random.Random(1108)  # the meetings' details, apart from the draws of the votes and grades
    for org_id in [o for o in orgs if o in PAPER]:
        ids = in_scope(org_id)
        voters = rng.randint(24, 40)
        meeting = paper_meeting(org_id, ids, voters, side)
        pairs = []
        for i in ids:
            shares, _ = PROFILES[profile[i]]
            votes = _votes(rng, voters, shares)
            # the committee (7 present) hands in its ballots apart, so each rater group is counted on its own sheet
            groups = [g.name for g in scoring.rater_groups] or [""]
            sheets = {group: {g: 0 for g in COUNTED} for group in groups}
            for n, vote in enumerate(votes):
                sheets[groups[0] if n < COMMITTEE else groups[-1]][vote] += 1
            tally = paper_tallies({i: sheets}, scoring)[i]
            part = reviews[i].record.meeting.model_copy(update={"order": meeting.order.index(i) + 1})
            pairs.append((i, reviews[i].record.model_copy(update={"tally": tally, "meeting": part})))
        name = snap.orgs[org_id].record.name
        meeting_change = Change(layout.meeting_path(org_id, snap.year), render(meeting).encode(), None)
        commit(pairs, f"公布测评结果：{name}（纸质计票，有效票 {voters} 张）", [meeting_change],
               f"评议会于{cn_date(meeting.held)}召开，测评票当场纸质计票；各书记得票按计票单录入。")

    # 2. grading inputs and grades, one commit per organisation
    timeline.at(ENTERED["grades"])
    for org_id in GRADED:
        ids = in_scope(org_id)
        edited = {}
        for i in ids:
            _, (low, high) = PROFILES[profile[i]]
            components = reviews[i].record.components.model_copy(update={
                "report": float(rng.randint(low, high)),
                "daily": float(rng.randint(low, high)),
                "inspection": float(rng.randint(low, high)),
            })
            edited[i] = reviews[i].record.model_copy(update={"components": components})
        order = suggest([Entry.of(edited[i]) for i in ids], campaign.grading, campaign.quota, n=len(ids))
        for s in order:
            grade = edited[s.branch].grade.model_copy(update={"suggested": s.suggested, "final": s.suggested})
            edited[s.branch] = edited[s.branch].model_copy(update={"grade": grade})
        if org_id == "lib":  # the committee departs from one suggestion, with its reason
            i = next(s.branch for s in order if s.suggested == Grade.FAIRLY_GOOD)
            grade = edited[i].grade.model_copy(update={
                "final": Grade.AVERAGE, "reason": "日常了解中发现“三会一课”落实不到位，经委员会讨论降为一般"})
            edited[i] = edited[i].model_copy(update={"grade": grade})
        org = snap.orgs[org_id].record
        saved = save_grades(archive, GradeSet(org, snap.year, [(reviews[i], edited[i]) for i in ids], names), campaign)
        for stored in saved:
            reviews[stored.record.branch] = stored

    # 3. finalise three organisations (commit + git tag)
    timeline.at(FINALISED_AT)
    for org_id in FINALISED:
        org = snap.orgs[org_id].record
        ids = in_scope(org_id)
        finalise(archive, GradeSet(org, snap.year, [(reviews[i], reviews[i].record) for i in ids], names),
                 campaign, FINALISED_AT)

    # 4. 约谈 and rectification tasks for 一般/差, self-found tasks elsewhere; feedback
    timeline.at(ENTERED["followup"])
    for org_id in GRADED:
        org = snap.orgs[org_id].record
        secretary = person(rng)
        pairs = []
        for n, i in enumerate(in_scope(org_id)):
            review = reviews[i].record
            final = review.grade.final
            update: dict = {}
            if final in (Grade.AVERAGE, Grade.POOR):
                deadline = date(2021, 3, 31) if final == Grade.AVERAGE else date(2021, 2, 28)
                if org_id != NO_INTERVIEW_YET or final == Grade.POOR:
                    update["interview"] = Interview(
                        held=date(2021, 1, rng.randint(18, 22)), by=f"{org.name.removesuffix('党委')}党委书记 {secretary}",
                        points="组织生活不够规范，问题查摆不深，整改措施针对性不强",
                        response="诚恳接受，立即制定整改方案，按期完成整改", deadline=deadline)
                    update["tasks"] = _tasks(rng, 3, deadline)
            elif n % 3 == 0:
                update["tasks"] = _tasks(rng, 1 + n % 2, date(2021, 6, 30))
            if org_id in FEEDBACK_DELIVERED:
                merged = review.model_copy(update=update)
                text = draft_feedback(snap.branches[i].record, org, merged, snap.year)
                update["feedback"] = Feedback(text=text, delivered=FEEDBACK_DELIVERED[org_id])
            if update:
                pairs.append((i, review.model_copy(update=update)))
        if pairs:
            kinds = "反馈、约谈和整改任务" if org_id in FEEDBACK_DELIVERED else "约谈和整改任务"
            commit(pairs, f"{kinds}：{org.name} {len(pairs)} 个党支部")


def _votes(rng: random.Random, voters: int, shares: tuple[float, ...]) -> list[str]:
    """Each voter's grade, in the order the ballots were handed in."""
    votes = []
    for _ in range(voters):
        x = rng.random()
        for grade, share in zip(GRADE_NAMES, shares):
            if x < share:
                votes.append(grade)
                break
            x -= share
        else:
            votes.append("较好")
    return votes


def _tasks(rng: random.Random, count: int, deadline: date) -> list[Task]:
    """Tasks in mixed states; an early deadline in progress makes one overdue on 2021-01-25."""
    picks = rng.sample(PROBLEMS, count)
    statuses = [TaskStatus.SIGNED_OFF, TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED]
    out = []
    for n, (problem, source, measures) in enumerate(picks, start=1):
        status = rng.choice(statuses)
        due = deadline
        if status in (TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED) and rng.random() < 0.4:
            due = date(2021, 1, rng.randint(12, 22))  # overdue on the demo's today
        out.append(Task(
            id=f"t{n}", problem=problem, source=source, measures=measures, owner=person(rng), deadline=due,
            status=status, evidence="整改记录已存档" if status in (TaskStatus.DONE, TaskStatus.SIGNED_OFF) else "",
            signed_off=date(2021, 1, 24) if status == TaskStatus.SIGNED_OFF else None,
            signed_off_by="组织员 演示" if status == TaskStatus.SIGNED_OFF else "",
        ))
    return out
