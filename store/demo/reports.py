"""Demo 述职报告: texts written from each branch's facts and varied templates. Where the
meeting has been held every report was approved before it; the planned meeting's are in
every state of the review. The last steps go through the workflow one commit each."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schema.kinds import BranchKind, ReportStatus
from schema.records import Branch, CarriedProblem, ReportEvent, ReportPart, Review
from schema.report import ReportAction, ReportText, fact_sentences, report_words
from store import layout, reports
from store.archive import Archive, Change
from store.demo import timeline
from store.demo.meeting import PLANNED
from store.demo.names import person
from store.snapshot import load
from store.tomlio import render

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2020, 12, 24, 9, 30, tzinfo=TZ)  # first submissions; the last step of any is by 2021-01-06
WRITTEN = date(2021, 1, 4)  # the day the texts' facts are stated as of
ENTERED = datetime(2021, 1, 7, 9, 0, tzinfo=TZ)  # the bulk entry of the reports and their review so far

DUTY = [
    "本人自{since}年起担任{branch}书记，认真履行党支部书记第一责任人职责，坚持把抓好党建作为分内之事、应尽之责，年初制定支部工作计划，明确任务分工和时间节点。",
    "全年带头参加“三会一课”，带头讲党课，带头开展谈心谈话，与支部党员逐一谈心谈话{talks}人次，及时掌握党员思想动态。",
    "认真学习《中国共产党支部工作条例（试行）》和学校《关于加强新形势下教职工党支部建设的意见》，参加学校组织的党支部书记培训{training}次，撰写学习体会{notes}篇。",
    "疫情防控期间，组织党员主动亮身份、作表率，{covid}，支部党员无一人违反防控规定。",
    "坚持民主集中制，支部重要事项均经支委会集体研究决定，支委分工明确、各司其职，形成了工作合力。",
]
BUILD = [
    "按照“对标争先”建设计划要求，规范组织生活，严格落实“三会一课”、主题党日、组织生活会、谈心谈话、民主评议党员等制度。",
    "推进“双带头人”培育工程，将党建工作与{work}深度融合，着力解决党建与业务“两张皮”问题。",
    "做好发展党员工作，坚持标准、严格程序，全年确定入党积极分子{activists}名，对发展对象逐一开展政治审查。",
    "用好“学习强国”和省党务信息系统，党员信息、组织关系转接和党费收缴做到线上线下同步、数据准确。",
    "支部与{partner}开展共建活动{joint}次，组织党员志愿服务{volunteer}人次，支部的凝聚力和影响力进一步增强。",
]
IDEOLOGY = [
    "坚持把政治建设摆在首位，组织党员深入学习党的十九届五中全会精神，开展专题研讨{study}次，引导党员增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
    "结合“四史”学习教育，组织党员参观红色教育基地，开展“我为群众办实事”活动，党员撰写心得体会{notes}篇。",
    "关心关爱党员群众，走访慰问困难党员和生活困难群众{visits}人次，及时帮助解决实际困难。",
    "加强意识形态阵地管理，落实意识形态工作责任制，对{audience}的思想动态定期分析研判，未发生意识形态方面的问题。",
]
PROBLEMS = [
    "理论学习的深度和广度还不够，学习形式较为单一，以读文件、听报告为主，结合实际研讨交流不多。",
    "党建与业务融合还不够紧密，在以党建促进{work}方面办法不多、成效不够明显。",
    "支部书记本人抓党建的精力投入不足，有时存在重业务、轻党建的倾向。",
    "主题党日活动的吸引力不强，部分党员参与的主动性、积极性不高。",
    "对青年教师和学生骨干的政治引领还不够，发展党员的梯队建设有待加强。",
]
NEXT = [
    "下一步，支部将制定理论学习清单，采取专题辅导、交流研讨、实地参观相结合的方式，提高学习实效。",
    "下一步，将围绕{work}中的重点难点设立党员先锋岗，推动党建与业务同谋划、同部署、同考核。",
    "下一步，本人将严格落实支部书记第一责任人职责，每月专门研究一次党建工作，切实把抓党建的责任扛在肩上。",
    "下一步，将创新主题党日形式，结合专业特点开展志愿服务和社会实践，增强组织生活的吸引力。",
]
CARRIED = [
    "“三会一课”记录不够规范",
    "党员发展工作程序不够严格",
    "组织生活会批评和自我批评辣味不足",
]
WORK = {
    BranchKind.STAFF: "教学科研",
    BranchKind.STUDENT: "学风建设",
    BranchKind.MIXED: "人才培养",
    BranchKind.RETIRED: "关心下一代工作",
    BranchKind.OFFICE: "管理服务",
    BranchKind.OTHER: "中心工作",
}
COVID = {
    BranchKind.STAFF: "做好线上教学和返校复课准备",
    BranchKind.STUDENT: "做好学生居家学习和返校健康监测",
    BranchKind.RETIRED: "主动参与社区联防联控",
    BranchKind.OFFICE: "下沉社区、值守校门",
}
RETURN_COMMENT = "第二部分数据不够具体，请补充“三会一课”开展次数和党员发展情况，并分析存在差距的原因。"


def _fill(text: str, rng: random.Random, branch: Branch) -> str:
    return text.format(
        since=rng.randint(2016, 2019), branch=branch.name, talks=rng.randint(8, 40), training=rng.randint(1, 3),
        notes=rng.randint(2, 30), covid=COVID.get(branch.kind, "做好值班值守和信息报送"),
        work=WORK[branch.kind], activists=rng.randint(1, 8), partner=rng.choice(("社区党委", "企业党支部", "兄弟院校党支部", "附属中学党支部")),
        joint=rng.randint(1, 4), volunteer=rng.randint(10, 120), study=rng.randint(2, 8), visits=rng.randint(3, 20),
        audience="学生党员" if branch.kind == BranchKind.STUDENT else "支部党员",
    )


def report_text(review: Review, branch: Branch, titles: list[str], rng: random.Random) -> str:
    """A report of a few hundred to ~1500 字 from the facts and the templates above."""
    size = rng.choice((1, 2, 2, 3, 4))
    def pick(pool: list[str]) -> list[str]:
        chosen = sorted(rng.sample(range(len(pool)), min(len(pool), size + rng.randint(0, 1))))
        return [_fill(pool[i], rng, branch) for i in chosen]

    facts = "".join(fact_sentences(review.facts, WRITTEN))
    problems = pick(PROBLEMS)
    fourth = [f"{'一二三四五'[n]}是{p}" for n, p in enumerate(problems)] + pick(NEXT)
    if review.carried:
        answered = "；".join(f"针对上年度指出的“{c.text}”问题，已{rng.choice(('建立台账、逐项整改', '完善制度、专人负责', '对照清单整改到位'))}" for c in review.carried)
        fourth.insert(0, answered + "。")
    sections = [
        "\n\n".join(pick(DUTY)),
        "\n\n".join([facts] + pick(BUILD) if facts else pick(BUILD)),
        "\n\n".join(pick(IDEOLOGY)),
        "\n\n".join(fourth),
    ]
    return ReportText("", sections).render(titles)


def _event(status: ReportStatus, by: str, when: datetime) -> ReportEvent:
    return ReportEvent(status=status, by=by, at=when.isoformat(timespec="seconds"))


def _stamp(day: int, rng: random.Random) -> datetime:
    return START + timedelta(days=day, hours=rng.randint(0, 7), minutes=rng.randint(0, 59))


# 化学与材料学院 (meeting on 1月12日) enters its reports with five still on the way; the last
# steps, one commit each as in real use, finish them before the meeting. Every other held
# meeting's reports were approved before it; only the planned meeting's (logi) are not.
CHEM = [ReportStatus.SUBMITTED, ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ARCHIVED,
        ReportStatus.ARCHIVED, ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT,
        ReportStatus.APPROVED, ReportStatus.ARCHIVED, ReportStatus.APPROVED, ReportStatus.DRAFT]
CHEM_MOVES = [  # (branch index, action, when)
    (0, ReportAction.APPROVE, timeline.on(2021, 1, 8, 10, 15)),
    (1, ReportAction.RETURN, timeline.on(2021, 1, 8, 10, 40)),
    (7, ReportAction.SUBMIT, timeline.on(2021, 1, 8, 16, 20)),
    (11, ReportAction.SUBMIT, timeline.on(2021, 1, 9, 9, 5)),
    (6, ReportAction.APPROVE, timeline.on(2021, 1, 9, 11, 30)),
    (7, ReportAction.APPROVE, timeline.on(2021, 1, 9, 11, 50)),
    (1, ReportAction.SUBMIT, timeline.on(2021, 1, 10, 15, 10)),  # revised as the comment asked
    (11, ReportAction.APPROVE, timeline.on(2021, 1, 11, 9, 40)),
    (1, ReportAction.APPROVE, timeline.on(2021, 1, 11, 10, 0)),
    (2, ReportAction.ARCHIVE, timeline.on(2021, 1, 11, 16, 45)),
]
# 后勤集团党总支 (meeting next week): one waiting for review, one returned, one draft, one not started
LOGI = [ReportStatus.SUBMITTED, ReportStatus.SUBMITTED, ReportStatus.DRAFT, None]
LOGI_MOVES = [(1, ReportAction.RETURN, timeline.on(2021, 1, 7, 15, 30))]
REVISION = "全年召开支部党员大会4次、支委会12次、党小组会24次，书记讲党课2次；确定入党积极分子3名、发展对象1名，按期转正预备党员1名。与先进支部相比，差距主要在党建与业务结合的办法不多。"


def _revised(text: str, titles: list[str]) -> str:
    """The report with the paragraph the return comment asked for, at the end of section two."""
    third = f"## {titles[2]}"
    return text.replace(third, REVISION + "\n\n" + third, 1) if third in text else text + "\n" + REVISION + "\n"


def build(archive: Archive) -> None:
    rng = random.Random(4)
    snap = load(archive)
    titles = snap.campaign.report.sections
    live_moves = []  # (branch, action, when) done through the workflow after the bulk entry
    people = {org.id: (person(rng), person(rng)) for org in snap.sorted_orgs()}  # 组织员, 二级党组织书记
    timeline.at(ENTERED)
    for org in snap.sorted_orgs():
        staff, reviewer = people[org.id]
        changes = []
        branches = sorted((b for b in snap.org_branches(org.id) if snap.scope(b.id).in_scope), key=lambda b: b.id)
        scripted = {"chem": (CHEM, CHEM_MOVES), PLANNED: (LOGI, LOGI_MOVES)}.get(org.id)
        for n, branch in enumerate(branches):
            stored = snap.review(branch.id)
            review = stored.record
            # some were told of a problem last year; in 化学 and 后勤 the returned and the unstarted ones show it
            shows = {"chem": (1, 11), PLANNED: (1, 3)}.get(org.id, ())
            if rng.random() < 0.25 or n in shows:
                review = review.model_copy(update={"carried": [CarriedProblem(text=rng.choice(CARRIED), source="2019年度述职点评")]})
            if scripted:
                status = scripted[0][n % len(scripted[0])]
            else:  # the meeting is held: every report was approved before it
                status = rng.choice((ReportStatus.ARCHIVED, ReportStatus.APPROVED))
            if status is None:  # not started: nothing written yet
                changes.append(Change(stored.path, render(review.model_copy(update={"report": ReportPart()})).encode(), stored.version))
                continue
            text = report_text(review, branch, titles, rng)
            day = rng.randint(0, 4)
            history = []
            if status != ReportStatus.DRAFT:
                history.append(_event(ReportStatus.SUBMITTED, staff, _stamp(day, rng)))
            if status in (ReportStatus.APPROVED, ReportStatus.ARCHIVED):
                history.append(_event(ReportStatus.APPROVED, reviewer, _stamp(day + rng.randint(2, 6), rng)))
            if status == ReportStatus.ARCHIVED:
                history.append(_event(ReportStatus.ARCHIVED, staff, _stamp(day + rng.randint(7, 9), rng)))
            path = layout.report_path(branch.org, snap.year, branch.id)
            part = ReportPart(status=status, file=path, words=report_words(text), history=history)
            review = review.model_copy(update={"report": part})
            changes.append(Change(stored.path, render(review).encode(), stored.version))
            changes.append(Change(path, text.encode(), None))
        if scripted:
            live_moves += [(branches[n], action, when) for n, action, when in scripted[1]]
        written = sum(1 for c in changes if c.path.endswith(".md"))
        Archive(archive.root, staff).commit(changes, f"录入述职报告：{org.name} {written} 篇（含审阅进度）")

    # the latest steps, one commit each as in real use: the writer submits and archives, the reviewer decides
    for branch, action, when in sorted(live_moves, key=lambda move: move[2]):
        staff, reviewer = people[branch.org]
        actor = Archive(archive.root, staff if action in (ReportAction.SUBMIT, ReportAction.ARCHIVE) else reviewer)
        stored = load(archive).review(branch.id)
        doc = reports.read(actor, stored.record)
        revised = _revised(doc.text, titles) if action == ReportAction.SUBMIT and stored.record.report.comments else None
        note = RETURN_COMMENT if action == ReportAction.RETURN else ""
        timeline.at(when)
        reports.move(actor, stored, doc, action, branch, when, note, section=2 if note else 0, text=revised)
