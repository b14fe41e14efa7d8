"""The shapes of every record in an archive.

Each record is one TOML file with a ``schema_version``. Keys are stable English
identifiers; values that are names or text are Chinese. Field order here is the key
order of newly written files.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from schema.kinds import (
    BallotForm,
    BallotStatus,
    BranchKind,
    Grade,
    MeetingStage,
    OrgKind,
    PaperKind,
    ProblemSource,
    ReportMode,
    ReportStatus,
    Rounding,
    TaskStatus,
)
from schema.migrations import CAMPAIGN_STEPS, migrate

SCHEMA_VERSION = 1  # every record but the campaign
CAMPAIGN_SCHEMA_VERSION = 2  # 2: grading weights keyed by component id; schema/migrations.py reads version 1

NonNegative = Field(default=None, ge=0)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Record(Model):
    schema_version: int = SCHEMA_VERSION

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        current = cls.model_fields["schema_version"].default  # a record type may be at a later version
        if v != current:
            newer = "，文件由较新版本的 shuping 写入，请升级" if v > current else ""
            raise ValueError(f"不支持的 schema_version {v}（本程序支持 {current}{newer}）")
        return v


# ---------------------------------------------------------------- archive


class ArchiveSettings(Record):
    university: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    current_campaign: int
    export_dir: str = ""  # where exports go (~ is each user's home); "": ~/shuping-exports (store.outputs)
    official_format: bool = True  # .docx for paper in 公文 format (GB/T 9704-2012); false: Word's defaults


class Org(Record):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    kind: OrgKind
    order: int = 0
    dissolved: date | None = None


class Branch(Record):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    org: str
    name: str = Field(min_length=1)
    kind: BranchKind
    founded: date
    secretary: str = ""
    members: int | None = NonNegative
    code: str | None = None
    last_election: date | None = None
    committee_size: int | None = NonNegative
    dissolved: date | None = None


# ---------------------------------------------------------------- campaign


class Quota(Model):
    good_max: float = Field(default=0.30, ge=0, le=1)
    rounding: Rounding = Rounding.FLOOR


class RaterGroup(Model):
    name: str
    weight: float = Field(ge=0, le=1)


class ScoringSettings(Model):
    vote_values: dict[Grade, float] = Field(
        default_factory=lambda: {Grade.GOOD: 100, Grade.FAIRLY_GOOD: 80, Grade.AVERAGE: 60, Grade.POOR: 40}
    )
    trimmed_mean: bool = False
    rater_groups: list[RaterGroup] = Field(default_factory=list)
    quorum: float = Field(default=0.5, ge=0, le=1)
    # validity of ballot items (SPEC §6): a blank item is always an abstention; an over-marked
    # item counts as an abstention unless it voids the whole ballot
    overmarked_voids_ballot: bool = False
    uniform_voids_ballot: bool = False  # a ballot giving every secretary the same grade is invalid

    @field_validator("rater_groups")
    @classmethod
    def _group_weights_sum_to_1(cls, v: list[RaterGroup]) -> list[RaterGroup]:
        total = sum(g.weight for g in v)
        if v and abs(total - 1) > 1e-6:
            raise ValueError(f"各测评组权重之和应为 100%，现为 {total * 100:g}%")
        names = [g.name for g in v]
        if len(set(names)) != len(names):
            raise ValueError("测评组名称重复")
        return v


# the four inputs of the composite: ``Components`` field, which is also the input's id as a
# weight key and a tie-break key → its label wherever it is shown
COMPONENT_LABELS: dict[str, str] = {"report": "述职情况", "rating": "测评结果", "daily": "日常了解", "inspection": "督查检查"}


def _component_id(key: str) -> str:
    if key in COMPONENT_LABELS:
        return key
    named = next((i for i, label in COMPONENT_LABELS.items() if label == key), None)
    if named:
        raise ValueError(f"权重项“{key}”应写作 {named}")
    known = "、".join(f"{i}（{label}）" for i, label in COMPONENT_LABELS.items())
    raise ValueError(f"未知的权重项“{key}”（可用：{known}）")


class GradingSettings(Model):
    """Weights of the four inputs of the composite, in percent, and the grade bands."""

    weights: dict[Annotated[str, AfterValidator(_component_id)], float] = Field(
        default_factory=lambda: {"report": 20, "rating": 50, "daily": 15, "inspection": 15}
    )
    bands: dict[Grade, float] = Field(
        default_factory=lambda: {Grade.GOOD: 90, Grade.FAIRLY_GOOD: 75, Grade.AVERAGE: 60}
    )
    # rank order among equal composites; see schema/grading.py (add "id" to always break ties)
    tie_break: list[str] = Field(default_factory=lambda: ["composite", "rating", "good_share"])

    @field_validator("tie_break")
    @classmethod
    def _known_keys(cls, v: list[str]) -> list[str]:
        known = ("composite", *COMPONENT_LABELS, "good_share", "good_or_fair_share", "id")
        unknown = [k for k in v if k not in known]
        if unknown:
            raise ValueError(f"未知的并列排序依据 {'、'.join(unknown)}（可用：{'、'.join(known)}）")
        return v

    @field_validator("weights")
    @classmethod
    def _sum_to_100(cls, v: dict[str, float]) -> dict[str, float]:
        total = sum(v.values())
        if v and abs(total - 100) > 1e-6:
            raise ValueError(f"各项权重之和应为 100%，现为 {total:g}%")
        return v


class Indicator(Model):
    id: str
    group: str
    name: str
    max_points: float = Field(gt=0)


# the key words an imported report's headings are matched by, for the notice's four sections
DEFAULT_SECTION_KEYWORDS = {
    "个人履职": ["履职", "职责", "尽责"],
    "支部建设情况和成效": ["支部建设", "组织生活", "成效", "组织建设", "三会一课", "党建工作"],
    "思想政治工作": ["思想政治", "思政", "联系师生", "联系服务", "意识形态"],
    "存在问题及下一步思路举措": ["问题", "不足", "整改", "举措", "下一步", "打算", "思路"],
}


class ReportSettings(Model):
    sections: list[str] = Field(
        default_factory=lambda: ["个人履职", "支部建设情况和成效", "思想政治工作", "存在问题及下一步思路举措"]
    )
    min_chars: int = Field(default=1000, ge=0)
    max_chars: int = Field(default=5000, ge=0)
    # section title → its key words; a section not named here has the default ones for its title
    # (None, not {}: archives written before key words existed keep their campaign.toml as it is)
    keywords: dict[str, list[str]] | None = None

    def section_keywords(self) -> list[list[str]]:
        """Each section's key words, in section order."""
        return [
            (self.keywords or {}).get(title, DEFAULT_SECTION_KEYWORDS.get(title, []))
            for title in self.sections
        ]

    @model_validator(mode="after")
    def _range(self) -> ReportSettings:
        if self.max_chars and self.min_chars > self.max_chars:
            raise ValueError(f"字数下限（{self.min_chars}）不能大于上限（{self.max_chars}）")
        if not [s for s in self.sections if s.strip()]:
            raise ValueError("至少要有一个报告部分")
        return self


class Campaign(Record):
    schema_version: int = CAMPAIGN_SCHEMA_VERSION
    year: int = Field(ge=2000, le=2100)
    title: str = ""
    notice_date: date
    report_deadline: date
    completion_deadline: date
    previous: int | None = None
    quota: Quota = Field(default_factory=Quota)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    grading: GradingSettings = Field(default_factory=GradingSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    indicators: list[Indicator] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        return migrate(data, CAMPAIGN_STEPS)

    @field_validator("indicators")
    @classmethod
    def _unique_indicator_ids(cls, v: list[Indicator]) -> list[Indicator]:
        ids = [i.id for i in v]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"指标编号重复：{'、'.join(repeated)}")
        return v

    @model_validator(mode="after")
    def _dates_in_order(self) -> Campaign:
        if self.report_deadline < self.notice_date:
            raise ValueError("报送截止日期不能早于通知日期")
        if self.completion_deadline < self.notice_date:
            raise ValueError("完成期限不能早于通知日期")
        return self


# ---------------------------------------------------------------- review of one branch in one campaign


class ScopeException(Model):
    """Staff's recorded exception to the scope rule."""

    in_scope: bool
    reason: str = Field(min_length=1)


class BranchFacts(Model):
    """The year's facts the report speaks with (SPEC §4)."""

    general_meetings: int | None = NonNegative  # 支部党员大会
    committee_meetings: int | None = NonNegative  # 支委会
    party_lectures: int | None = NonNegative  # 党课
    theme_days: int | None = NonNegative  # 主题党日
    new_members: int | None = NonNegative  # 发展党员
    new_members_teachers: int | None = NonNegative  # 其中专任教师
    dues_months: int | None = Field(default=None, ge=0, le=12)  # 党费按月足额收缴月数
    election_due: date | None = None  # 换届到期日
    committee_complete: bool | None = None  # 支委配齐
    life_meeting_held: bool | None = None  # 专题组织生活会
    member_appraisal_held: bool | None = None  # 民主评议党员
    system_data_current: bool | None = None  # 省党务信息系统数据及时准确
    commendations: str = ""


class ReviewComment(Model):
    section: int = Field(ge=0)  # 1–4: the report section it is anchored to; 0: the whole report
    text: str
    by: str
    at: str  # ISO date-time


class ReportEvent(Model):
    """One step of the report's review workflow (schema/report.py): who moved it where, when."""

    status: ReportStatus  # the status it moved to
    by: str
    at: str  # ISO date-time
    note: str = ""  # a reopen's reason


class ReportPart(Model):
    status: ReportStatus = ReportStatus.DRAFT
    file: str | None = None  # Markdown beside the record, relative to the archive root
    words: int | None = Field(default=None, ge=0)  # 字数 of the text as last saved
    comments: list[ReviewComment] = Field(default_factory=list)
    history: list[ReportEvent] = Field(default_factory=list)


class MeetingPart(Model):
    mode: ReportMode = ReportMode.IN_PERSON
    mode_reason: str = ""
    order: int | None = None
    comment: str = ""  # 点评


class Tally(Model):
    """Published meeting result for one secretary."""

    counts: dict[str, int] = Field(default_factory=dict)  # 好/较好/一般/差/弃权 → ballots
    valid: int = Field(default=0, ge=0)
    score: float | None = None
    good_share: float | None = None
    good_or_fair_share: float | None = None
    indicator_total: float | None = None
    trimmed_mean: float | None = None  # drop highest and lowest when more than 5 raters
    group_scores: dict[str, float] | None = None  # rater group → its score, where groups are weighted
    group_counts: dict[str, dict[str, int]] | None = None  # rater group → counts, for weighted groups counted on paper
    indicator_means: dict[str, float] | None = None  # indicator id → mean points, indicator ballots
    method: str = ""  # how ``score`` was computed, in words


class Components(Model):
    report: float | None = Field(default=None, ge=0, le=100)  # 述职情况
    rating: float | None = Field(default=None, ge=0, le=100)  # 测评结果
    daily: float | None = Field(default=None, ge=0, le=100)  # 日常了解
    inspection: float | None = Field(default=None, ge=0, le=100)  # 督查检查


class GradeDecision(Model):
    suggested: Grade | None = None
    final: Grade | None = None
    reason: str = ""


class Feedback(Model):
    text: str = ""
    delivered: date | None = None


class Interview(Model):
    held: date | None = None
    by: str = ""
    points: str = ""
    response: str = ""
    deadline: date | None = None


class Task(Model):
    id: str
    problem: str
    source: ProblemSource = ProblemSource.SELF
    measures: str = ""
    owner: str = ""
    deadline: date | None = None
    status: TaskStatus = TaskStatus.NOT_STARTED
    evidence: str = ""
    files: list[Attachment] = Field(default_factory=list)  # evidence files stored in the archive
    signed_off: date | None = None  # 销号 by the secondary organisation
    signed_off_by: str = ""


class CarriedProblem(Model):
    """A problem named in last year's review, to be answered in section 4."""

    text: str
    source: str = ""
    status: str = ""


class Review(Record):
    branch: str
    org: str
    year: int
    scope_exception: ScopeException | None = None
    facts: BranchFacts = Field(default_factory=BranchFacts)
    report: ReportPart = Field(default_factory=ReportPart)
    meeting: MeetingPart = Field(default_factory=MeetingPart)
    tally: Tally | None = None
    components: Components = Field(default_factory=Components)
    grade: GradeDecision = Field(default_factory=GradeDecision)
    feedback: Feedback = Field(default_factory=Feedback)
    interview: Interview = Field(default_factory=Interview)
    tasks: list[Task] = Field(default_factory=list)
    carried: list[CarriedProblem] = Field(default_factory=list)


# ---------------------------------------------------------------- the meeting of one organisation (issue 5 owns this)


class Attendance(Model):
    group: str  # 委员 / 党支部书记 / 党员干部 / 师生党员代表
    due: int = Field(default=0, ge=0)
    present: int = Field(default=0, ge=0)


class BallotCounts(Model):
    issued: int = Field(default=0, ge=0)  # 发出
    collected: int = Field(default=0, ge=0)  # 收回
    not_returned: int = Field(default=0, ge=0)  # 未收回
    valid: int = Field(default=0, ge=0)  # 有效 (written on publishing, from the ballots)
    invalid: int = Field(default=0, ge=0)


class FrozenSettings(Model):
    """What the meeting rated with, fixed when the first ballot is keyed."""

    at: str  # ISO time of the first ballot
    form: BallotForm
    columns: list[str]  # branch ids rated, in ballot order
    scoring: ScoringSettings
    indicators: list[Indicator] = Field(default_factory=list)


class PrintedForm(Model):
    """One printout of a meeting paper: the speaking order and form it was printed with, so
    keying can tell when the paper in people's hands no longer matches (schema/papers.py)."""

    kind: PaperKind
    order: list[str] = Field(default_factory=list)  # branch ids, as printed
    form: BallotForm = BallotForm.GRADES
    at: str  # ISO time printed
    copies: int = Field(default=0, ge=0)  # 0: one master to copy


class Withdrawal(Model):
    """A publication the organisation department withdrew (before grading was finalised)."""

    at: str  # ISO time withdrawn
    by: str  # the operator
    reason: str
    published_at: str = ""  # when the withdrawn results had been published
    valid: int = Field(default=0, ge=0)  # the withdrawn publication's valid and invalid ballots
    invalid: int = Field(default=0, ge=0)


class Meeting(Record):
    """The 述职评议会 of one secondary organisation in one campaign."""

    org: str
    year: int
    held: date | None = None
    place: str = ""
    chair: str = ""
    attendance: list[Attendance] = Field(default_factory=list)
    observers: list[str] = Field(default_factory=list)  # 列席 from the organisation department
    order: list[str] = Field(default_factory=list)  # branch ids in speaking order
    lot_seed: int | None = None
    ballots: BallotCounts = Field(default_factory=BallotCounts)
    published: bool = False
    form: BallotForm = BallotForm.GRADES
    double_entry: bool = True
    speech_minutes: int = Field(default=5, ge=1, le=60)
    warn_minutes: int = Field(default=1, ge=0, le=60)
    stage: MeetingStage = MeetingStage.SETUP
    speaker: int = Field(default=0, ge=0)  # index into ``order`` during the reports
    frozen: FrozenSettings | None = None
    override_reason: str = ""  # why results were published though reconciliation failed
    published_at: str = ""
    printed: list[PrintedForm] = Field(default_factory=list)  # oldest first
    withdrawals: list[Withdrawal] = Field(default_factory=list)  # publications withdrawn, oldest first

    @property
    def held_on(self) -> date | None:
        """The day the meeting took place; None while it is being prepared (``held`` is then
        only the date it is planned for)."""
        return self.held if self.published or self.stage != MeetingStage.SETUP else None


class Ballot(Record):
    """One paper ballot as keyed in one pass. Nothing here, in its path or its commit, names who filled it in."""

    org: str
    year: int
    entry: int = Field(ge=1, le=2)  # 1: first keying; 2: the blind second keying of double entry
    serial: int = Field(ge=1)
    group: str = ""  # rater group, only where the campaign weights groups
    marks: dict[str, str] = Field(default_factory=dict)  # branch id → 好/较好/一般/差/弃权/多选 ("" blank)
    points: dict[str, dict[str, float]] = Field(default_factory=dict)  # branch id → indicator id → points
    status: BallotStatus = BallotStatus.OPEN
    reason: str = ""  # why invalid
    corrections: list[str] = Field(default_factory=list)  # reasons of later corrections, oldest first


# ---------------------------------------------------------------- one organisation in one campaign


class Attachment(Model):
    """A file stored in the archive (stamped scan, evidence), identified by its hash."""

    name: str  # the original file name, for people
    path: str  # where it is stored, relative to the archive root
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    added: date | None = None


class Finalisation(Model):
    finalised: bool = False
    at: str = ""
    by: str = ""
    tag: str = ""
    reopen_reasons: list[str] = Field(default_factory=list)


class Submission(Model):
    submitted: date | None = None
    scan: Attachment | None = None


class OrgYear(Record):
    """What a secondary organisation owns in one campaign beyond its branches' reviews."""

    org: str
    year: int
    grading: Finalisation = Field(default_factory=Finalisation)
    announcement_scope: str = ""
    work_report: str | None = None  # Markdown file, relative to the archive root
    submission: Submission = Field(default_factory=Submission)
    indicators: list[Indicator] = Field(default_factory=list)  # the unit's own 测评指标; empty: the campaign's


# ---------------------------------------------------------------- who may change what (issue 8)


class Access(Record):
    """``access.toml``: which organisations each operator may change.

    ``operators`` maps an operator name (the commit author the app uses) to a list of
    organisation ids, or to "all" for the organisation department (which alone may change
    campaigns, settings and this file). ``logins`` maps a login on the central server
    (the pusher the pre-receive hook sees) to an operator name, when the two differ.
    """

    operators: dict[str, list[str] | Literal["all"]] = Field(default_factory=dict)
    logins: dict[str, str] = Field(default_factory=dict)


RECORD_TYPES: dict[str, type[Record]] = {
    "access": Access,
    "settings": ArchiveSettings,
    "org": Org,
    "branch": Branch,
    "campaign": Campaign,
    "review": Review,
    "org_year": OrgYear,
    "meeting": Meeting,
    "ballot": Ballot,
}
