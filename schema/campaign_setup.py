"""The campaign's settings as people type them on the 年度设置 screen: percentages, lists in
one line, indicators one per line. Text in, values or Chinese messages out; and what a save
changed, said in a sentence for the commit."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from schema.changes import changes
from schema.quota import ROUNDING_LABELS, percent
from schema.records import Campaign, Indicator, RaterGroup

LIST_SEPARATORS = re.compile(r"[；;，,、\n]+")
INDICATOR_HINT = "应写作 编号 | 组别 | 指标 | 满分，如 1.1 | 履职尽责 | 履行抓支部建设第一责任 | 10"


class FieldError(ValueError):
    """A typed value that cannot be used; the message is Chinese."""


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_number(text: str, what: str = "") -> float:
    raw = _plain(text).removesuffix("%").strip()
    try:
        return float(raw)
    except ValueError:
        raise FieldError(f"{what}应为数字，现为“{text.strip()}”" if text.strip() else f"{what}不能为空") from None


def parse_percent(text: str, what: str = "") -> float:
    """“30” or “30%” → 0.3; outside 0–100 % is an error."""
    value = parse_number(text, what)
    if not 0 <= value <= 100:
        raise FieldError(f"{what}应在 0–100% 之间，现为 {value:g}%")
    return round(value / 100, 6)


def format_percent(fraction: float) -> str:
    return percent(fraction).removesuffix("%")


def parse_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def parse_rater_groups(text: str) -> list[RaterGroup]:
    """“委员 60%；其他 40%” → two groups weighing 0.6 and 0.4; blank → none."""
    groups = []
    for part in parse_list(text):
        m = re.match(r"^(.+?)[\s:：]*([\d.]+)\s*%?$", _plain(part))
        if not m:
            raise FieldError(f"测评组“{part}”应写作 名称 权重%，如 委员 60%")
        groups.append(RaterGroup(name=m.group(1).strip(), weight=parse_percent(m.group(2), f"测评组“{m.group(1).strip()}”的权重")))
    return groups


def format_rater_groups(groups: list[RaterGroup]) -> str:
    return "；".join(f"{g.name} {format_percent(g.weight)}%" for g in groups)


def parse_indicators(text: str) -> tuple[list[Indicator], list[str]]:
    """One indicator a line: 编号 | 组别 | 指标 | 满分. Returns the indicators and a message per bad line."""
    indicators, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        if len(parts) != 4 or not all(parts):
            problems.append(f"参考指标第 {number} 行：{INDICATOR_HINT}")
            continue
        try:
            points = parse_number(parts[3], "满分")
        except FieldError as e:
            problems.append(f"参考指标第 {number} 行：{e}")
            continue
        if points <= 0:
            problems.append(f"参考指标第 {number} 行：满分应大于 0")
            continue
        indicators.append(Indicator(id=parts[0], group=parts[1], name=parts[2], max_points=points))
    return indicators, problems


def format_indicators(indicators: list[Indicator]) -> str:
    return "\n".join(f"{i.id} | {i.group} | {i.name} | {i.max_points:g}" for i in indicators)


def indicator_summary(indicators: list[Indicator]) -> str:
    if not indicators:
        return "未设参考指标（测评只投“好/较好/一般/差”）"
    groups: dict[str, float] = {}
    for i in indicators:
        groups[i.group] = groups.get(i.group, 0) + i.max_points
    parts = "、".join(f"{g} {p:g}" for g, p in groups.items())
    return f"{len(indicators)} 项指标，合计 {sum(groups.values()):g} 分（{parts}）"


def describe_changes(old: Campaign, new: Campaign) -> str:
    """What a save changed, for the commit subject: 通知日期 2020年12月23日 → 2020年12月24日；测评计分."""
    parts = changes(old, new, [("year", "年度"), ("title", "名称"), ("notice_date", "通知日期"),
                               ("report_deadline", "报送截止"), ("completion_deadline", "完成期限")])
    if old.quota != new.quota:
        parts.append(f"“好”名额 {_quota(old)} → {_quota(new)}")
    for key, label in (("report", "述职报告要求"), ("indicators", "参考指标"), ("scoring", "测评计分"),
                       ("grading", "综合评定权重")):
        if getattr(old, key) != getattr(new, key):
            parts.append(label)
    return "；".join(parts)


def _quota(c: Campaign) -> str:
    return f"{percent(c.quota.good_max)}（{ROUNDING_LABELS[c.quota.rounding]}）"


def notice_2020() -> Campaign:
    """The campaign the university's 2020 notice sets up: a new archive starts with it."""
    return Campaign(
        year=2020,
        title="2020年度党支部书记述职评议考核",
        notice_date=date(2020, 12, 23),
        report_deadline=date(2021, 1, 30),
        completion_deadline=date(2021, 1, 31),
    )
