"""What the meeting papers say (issue 19): the 测评票 in each rater group's variant, the 签到表
and the 计票表, built from the meeting record and the campaign's scoring settings; and what
changed in the speaking order or form since a paper was printed.

The content only: store/papers.py lays it out on A4. Rows follow the order the operator keys
(the frozen columns once the first ballot is keyed, else the meeting's speaking order), so a
paper and the keying screen agree column for column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.ballots import ABSTAIN, COUNTED, GRADES
from schema.dates import cn_date
from schema.kinds import BallotForm, PaperKind
from schema.paper import sheet_groups
from schema.records import Attendance, Branch, Campaign, Indicator, Meeting, PrintedForm, RaterGroup, ScoringSettings

ATTENDANCE_GROUPS = ["委员", "党支部书记", "党员干部", "师生党员代表"]
SERIAL_BOX = "票号（收回后由计票人填写）"
SIGNERS = ["计票人", "监票人"]
TALLY_TOTALS = ["发出票数", "收回票数", "有效票", "无效票"]
MIN_SIGN_LINES = 2  # a group with nobody due still gets lines to sign
MOVES_SHOWN = 5  # moved secretaries named in a drift message before “等”


@dataclass(frozen=True)
class PaperRow:
    position: int  # 1-based, the speaking order
    branch: str  # branch id
    secretary: str
    branch_name: str


@dataclass(frozen=True)
class Heading:
    title: str
    lines: list[str]  # organisation, date, place


@dataclass(frozen=True)
class BallotPaper:
    heading: Heading
    variant: str  # rater group name, "" where groups are not weighted
    variant_label: str  # e.g. "委员用票（占测评结果 60%）"
    instructions: list[str]
    form: BallotForm
    rows: list[PaperRow]
    columns: list[str] = field(default_factory=lambda: list(GRADES))
    indicators: list[Indicator] = field(default_factory=list)  # the indicator form (附件1)
    serial_box: str = SERIAL_BOX


@dataclass(frozen=True)
class SignInGroup:
    name: str
    due: int
    lines: int  # blank lines to sign


@dataclass(frozen=True)
class SignInPaper:
    heading: Heading
    groups: list[SignInGroup]
    observers: list[str]


@dataclass(frozen=True)
class TallyPaper:
    heading: Heading
    variant: str  # rater group counted on this sheet, "" for all ballots
    variant_label: str
    rows: list[PaperRow]
    instructions: list[str]
    columns: list[str] = field(default_factory=lambda: list(COUNTED))
    totals: list[str] = field(default_factory=lambda: list(TALLY_TOTALS))
    signers: list[str] = field(default_factory=lambda: list(SIGNERS))


class PaperRefused(ValueError):
    """A paper that cannot be printed yet; the message says why in Chinese."""


# ---------------------------------------------------------------- what is printed from


def current_order(meeting: Meeting) -> list[str]:
    """The columns the operator keys: frozen at the first ballot, else the speaking order."""
    return list(meeting.frozen.columns) if meeting.frozen else list(meeting.order)


def current_form(meeting: Meeting) -> BallotForm:
    return meeting.frozen.form if meeting.frozen else meeting.form


def current_scoring(meeting: Meeting, campaign: Campaign) -> ScoringSettings:
    return meeting.frozen.scoring if meeting.frozen else campaign.scoring


def current_indicators(meeting: Meeting, campaign: Campaign) -> list[Indicator]:
    """The indicators keying rates with (what ``store.meeting.freeze`` will fix)."""
    return list(meeting.frozen.indicators) if meeting.frozen else list(campaign.indicators)


def paper_rows(order: list[str], branches: dict[str, Branch]) -> list[PaperRow]:
    rows = []
    for n, branch_id in enumerate(order, start=1):
        b = branches.get(branch_id)
        rows.append(PaperRow(n, branch_id, (b.secretary if b else "") or "（未填书记）", b.name if b else branch_id))
    return rows


def heading(title: str, org_name: str, meeting: Meeting) -> Heading:
    when = cn_date(meeting.held) if meeting.held else "    年  月  日"
    lines = [f"单位：{org_name}", f"时间：{when}" + (f"　　地点：{meeting.place}" if meeting.place else "")]
    return Heading(title, lines)


def refusals(kind: PaperKind, meeting: Meeting, campaign: Campaign) -> list[str]:
    """Why this paper cannot be printed now."""
    if kind == PaperKind.SIGN_IN:
        return []
    out = []
    if not current_order(meeting):
        out.append("还没有确定述职顺序：请先在评议会设置中排定述职人（抽签或手排）")
    if kind == PaperKind.BALLOT and current_form(meeting) == BallotForm.INDICATORS and not current_indicators(meeting, campaign):
        out.append("指标打分式测评没有指标：请先在年度设置中填写测评指标（附件1）")
    if kind == PaperKind.TALLY and current_form(meeting) == BallotForm.INDICATORS:
        out.append("指标打分式测评须逐张录票，不能用计票表汇总")
    return out


# ---------------------------------------------------------------- the ballot


def percent(weight: float) -> str:
    return f"{weight * 100:g}%"


def ballot_instructions(scoring: ScoringSettings, form: BallotForm, rows: int, group: RaterGroup | None = None,
                        indicators: list[Indicator] = ()) -> list[str]:
    """The rules printed on the ballot, as the campaign's scoring settings count it (schema/ballots.py)."""
    out = ["本票不记名，请勿在票面书写姓名或作其他标记。"]
    if form == BallotForm.INDICATORS:
        full = sum(i.max_points for i in indicators)
        out += [
            f"请对照各项指标，在“得分”栏填写分数，每项不超过该项分值（满分 {full:g} 分）。",
            "未填写的指标按 0 分计。",
        ]
    else:
        out += [
            "请对每位书记在“好”“较好”“一般”“差”四栏中选择一栏划“√”，每人只划一个“√”。",
            f"对某位书记未划“√”的，视为对该书记{ABSTAIN}。",
            ("对同一位书记划两个及以上“√”的，整张票无效。" if scoring.overmarked_voids_ballot
             else f"对同一位书记划两个及以上“√”的，视为对该书记{ABSTAIN}。"),
            "全部未划“√”的为空白票，整张票无效。",
        ]
        if scoring.uniform_voids_ballot and rows > 1:
            out.append("对全部书记评为同一等次的，整张票无效。")
    if group is not None:
        weights = "、".join(f"{g.name} {percent(g.weight)}" for g in scoring.rater_groups)
        out.append(f"本票供“{group.name}”填写；各组分别计票，按权重合计（{weights}）。")
    return out


def ballot_papers(meeting: Meeting, campaign: Campaign, org_name: str, branches: dict[str, Branch]) -> list[BallotPaper]:
    """The ballot's master, one per weighted rater group (one alone where groups are not weighted)."""
    problems = refusals(PaperKind.BALLOT, meeting, campaign)
    if problems:
        raise PaperRefused("；".join(problems))
    scoring = current_scoring(meeting, campaign)
    form = current_form(meeting)
    rows = paper_rows(current_order(meeting), branches)
    indicators = current_indicators(meeting, campaign) if form == BallotForm.INDICATORS else []
    title = f"{campaign.year}年度党支部书记述职评议测评票"
    if form == BallotForm.INDICATORS:
        title = f"{campaign.year}年度党支部书记述职评议测评表（指标打分）"
    head = heading(title, org_name, meeting)
    groups: list[RaterGroup | None] = list(scoring.rater_groups) or [None]
    return [
        BallotPaper(
            heading=head,
            variant=g.name if g else "",
            variant_label=f"{g.name}用票（占测评结果 {percent(g.weight)}）" if g else "",
            instructions=ballot_instructions(scoring, form, len(rows), g, indicators),
            form=form,
            rows=rows,
            indicators=indicators,
        )
        for g in groups
    ]


def variant_copies(total: int, groups: list[str], attendance: list[Attendance]) -> dict[str, int]:
    """How many of ``total`` ballots each variant gets: a rater group named like an attendance
    group gets that group's due count; the others share what is left, evenly."""
    if not groups:
        return {}
    if groups == [""]:
        return {"": total}
    due = {a.group: a.due for a in attendance}
    out: dict[str, int] = {}
    left = total
    for g in groups:
        if g in due:
            out[g] = min(due[g], left)
            left -= out[g]
    rest = [g for g in groups if g not in out]
    if not rest:
        if left:  # more to issue than due: the spares go to the last group
            out[groups[-1]] += left
        return {g: out[g] for g in groups}
    for n, g in enumerate(rest):
        out[g] = left // len(rest) + (1 if n < left % len(rest) else 0)
    return {g: out[g] for g in groups}


# ---------------------------------------------------------------- the sign-in sheet


def signin_paper(meeting: Meeting, campaign: Campaign, org_name: str) -> SignInPaper:
    due = {a.group: a.due for a in meeting.attendance}
    names = ATTENDANCE_GROUPS + [a.group for a in meeting.attendance if a.group not in ATTENDANCE_GROUPS]
    groups = [SignInGroup(g, due.get(g, 0), max(due.get(g, 0), MIN_SIGN_LINES)) for g in names]
    head = heading(f"{campaign.year}年度党支部书记述职评议会签到表", org_name, meeting)
    return SignInPaper(head, groups, list(meeting.observers))


# ---------------------------------------------------------------- the tally sheet


def tally_papers(meeting: Meeting, campaign: Campaign, org_name: str, branches: dict[str, Branch]) -> list[TallyPaper]:
    """The sheets counters fill in on paper and F5 → g types in: one per rater group."""
    problems = refusals(PaperKind.TALLY, meeting, campaign)
    if problems:
        raise PaperRefused("；".join(problems))
    scoring = current_scoring(meeting, campaign)
    rows = paper_rows(current_order(meeting), branches)
    head = heading(f"{campaign.year}年度党支部书记述职评议计票表", org_name, meeting)
    rules = [
        "每栏用“正”字计数，计完在栏内写出合计数。",
        f"每行 好+较好+一般+差+{ABSTAIN} 应等于本表有效票数；无效票不计入各栏。",
    ]
    return [
        TallyPaper(head, g, f"{g}票计票表" if g else "", rows,
                   rules + ([f"只统计“{g}”用票。"] if g else []))
        for g in sheet_groups(scoring)
    ]


# ---------------------------------------------------------------- printed, then changed


def printed_form(kind: PaperKind, meeting: Meeting, at: str, copies: int) -> PrintedForm:
    return PrintedForm(kind=kind, order=current_order(meeting), form=current_form(meeting), at=at, copies=copies)


def last_printed(meeting: Meeting, kind: PaperKind) -> PrintedForm | None:
    return next((p for p in reversed(meeting.printed) if p.kind == kind), None)


def drift(printed: PrintedForm, order: list[str], form: BallotForm, names: dict[str, str]) -> list[str]:
    """What differs between a printed paper's order and form and the current ones, in words."""
    out = []
    if printed.form != form:
        out.append(f"测评方式 {printed.form.value} → {form.value}")
    name = lambda b: names.get(b, b)  # noqa: E731
    removed = [b for b in printed.order if b not in order]
    added = [b for b in order if b not in printed.order]
    if removed:
        out.append(f"打印后去掉了：{'、'.join(map(name, removed))}")
    if added:
        out.append(f"打印后增加了：{'、'.join(map(name, added))}")
    moved = [(b, printed.order.index(b) + 1, order.index(b) + 1) for b in order
             if b in printed.order and printed.order.index(b) != order.index(b)]
    if moved:
        parts = [f"{name(b)} 第 {old} 位 → 第 {new} 位" for b, old, new in moved[:MOVES_SHOWN]]
        more = f" 等 {len(moved)} 人" if len(moved) > MOVES_SHOWN else ""
        out.append("顺序变了：" + "，".join(parts) + more)
    return out


def printed_drift(meeting: Meeting, kinds: list[PaperKind], names: dict[str, str]) -> list[str]:
    """For each kind of paper printed, what changed since its last printout (nothing for a kind
    never printed: then there is no paper to disagree with)."""
    out = []
    for kind in kinds:
        printed = last_printed(meeting, kind)
        if printed is None:
            continue
        found = drift(printed, current_order(meeting), current_form(meeting), names)
        if found:
            out.append(f"打印的{kind.value}（{printed.at[:16].replace('T', ' ')}）与现在不同：" + "；".join(found))
    return out


__all__ = [
    "ATTENDANCE_GROUPS", "BallotPaper", "Heading", "PaperRefused", "PaperRow", "SERIAL_BOX", "SignInGroup", "SignInPaper",
    "TallyPaper", "ballot_instructions", "ballot_papers", "current_form", "current_order", "drift", "last_printed",
    "paper_rows", "printed_drift", "printed_form", "refusals", "signin_paper", "tally_papers", "variant_copies",
]
