"""Enumerations whose values are the Chinese words users read and type."""

from enum import StrEnum


class OrgKind(StrEnum):
    COMMITTEE = "二级党委"
    GENERAL_BRANCH = "党总支"
    DIRECT_BRANCH = "直属党支部"
    WORK_COMMITTEE = "党工委"


class BranchKind(StrEnum):
    STAFF = "教工"
    STUDENT = "学生"
    MIXED = "师生混合"
    RETIRED = "离退休"
    OFFICE = "机关"
    OTHER = "其他"


class Grade(StrEnum):
    GOOD = "好"
    FAIRLY_GOOD = "较好"
    AVERAGE = "一般"
    POOR = "差"


class ReportStatus(StrEnum):
    DRAFT = "草稿"
    SUBMITTED = "已提交"
    RETURNED = "退回修改"
    APPROVED = "已审定"
    ARCHIVED = "已归档"


class ReportMode(StrEnum):
    IN_PERSON = "现场"
    WRITTEN = "书面"


class TaskStatus(StrEnum):
    NOT_STARTED = "未开始"
    IN_PROGRESS = "整改中"
    DONE = "已完成"
    SIGNED_OFF = "已销号"


class ProblemSource(StrEnum):
    COMMENT = "点评"
    RATING = "测评"
    INSPECTION = "督查"
    SELF = "自查"
    LAST_YEAR = "上年度"


class Rounding(StrEnum):
    FLOOR = "floor"
    ROUND = "round"
    CEIL = "ceil"


class BallotForm(StrEnum):
    GRADES = "等次"  # one overall grade per secretary
    INDICATORS = "指标"  # points per indicator of the campaign's indicator set


class BallotStatus(StrEnum):
    OPEN = "录入中"
    FINISHED = "已完成"
    INVALID = "无效"


class MeetingStage(StrEnum):
    SETUP = "筹备"
    SIGN_IN = "签到"
    REPORTS = "述职"
    RATING = "测评"
    COUNTING = "计票"
    PUBLISHED = "公布"


class PaperKind(StrEnum):
    """The meeting papers shuping prints (issue 19)."""

    BALLOT = "测评票"
    SIGN_IN = "签到表"
    TALLY = "计票表"
