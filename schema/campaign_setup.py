"""The campaign's settings as people type them on the 年度设置 screen: percentages, lists in
one line, indicators one per line. Text in, values or Chinese messages out; and what a save
changed, said in a sentence for the commit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

from schema.changes import changes
from schema.dates import parse_date
from schema.kinds import Grade
from schema.quota import ROUNDING_LABELS, good_cap_text, percent
from schema.records import COMPONENT_LABELS, Campaign, Indicator, RaterGroup, ReportSettings
from schema.validation import check_value

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


def format_keywords(report: ReportSettings) -> str:
    """Each section's key words: “履职/职责；支部建设/组织生活/成效；…”."""
    return "；".join("/".join(words) for words in report.section_keywords())


def parse_keywords(text: str, sections: list[str]) -> dict[str, list[str]]:
    """One group of key words per report section, in order (“；” between sections, “/” between words)."""
    groups = [[w.strip() for w in re.split(r"[/／、，,]", part) if w.strip()] for part in re.split(r"[；;\n]", text)]
    while groups and not groups[-1] and len(groups) > len(sections):
        groups.pop()
    if len(groups) != len(sections):
        raise FieldError(f"关键词有 {len(groups)} 组，报告部分有 {len(sections)} 个：每个部分一组，以“；”分隔")
    return dict(zip(sections, groups))


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


def save_message(old: Campaign, new: Campaign) -> str:
    """The commit subject of a settings save (and what the user is told); "" when nothing changed."""
    what = describe_changes(old, new)
    return f"修改年度设置：{old.year}年度（{what}）" if what else ""


def org_indicators_message(org_name: str, year: int, indicators: list[Indicator]) -> str:
    what = indicator_summary(indicators) if indicators else "改回使用全校参考指标"
    return f"本单位测评指标：{org_name} {year}年度（{what}）"


def _quota(c: Campaign) -> str:
    return f"{percent(c.quota.good_max)}（{ROUNDING_LABELS[c.quota.rounding]}）"


def parse_form_date(text: str, label: str):
    try:
        parsed = parse_date(text)
    except ValueError as e:
        raise FieldError(f"{label}：{e}") from None
    if parsed is None:
        raise FieldError(f"{label}不能为空")
    return parsed


def parse_whole(text: str, what: str) -> int:
    number = parse_number(text, what)
    if number != int(number) or number < 0:
        raise FieldError(f"{what}应为不小于 0 的整数")
    return int(number)


# ---------------------------------------------------------------------------- the F9 form

DATES = [("notice_date", "通知日期"), ("report_deadline", "报送截止"), ("completion_deadline", "完成期限")]
BANDS = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE]
SECTIONS = ("dates", "quota", "report", "scoring", "grading", "indicators")
# which error line a record key's problems show on
SECTION_OF = {"title": "dates", "notice_date": "dates", "report_deadline": "dates", "completion_deadline": "dates",
              "": "dates", "quota": "quota", "report": "report", "scoring": "scoring", "grading": "grading",
              "indicators": "indicators"}

Value = str | bool  # what a field holds: text typed, the rounding chosen, a box ticked


@dataclass(frozen=True)
class CampaignForm:
    """The 年度设置 form: what each field holds, by field id (the screen's widget ids), over the
    campaign it was filled from. Reads back into a campaign or every problem by section."""

    base: Campaign
    values: dict[str, Value] = field(default_factory=dict)

    @classmethod
    def of(cls, c: Campaign) -> CampaignForm:
        values: dict[str, Value] = {"year": str(c.year), "name": c.title}
        values.update({key: getattr(c, key).isoformat() for key, _ in DATES})
        values["good_max"] = format_percent(c.quota.good_max)
        values["rounding"] = c.quota.rounding.value
        values["sections"] = "；".join(c.report.sections)
        values["keywords"] = format_keywords(c.report)
        values["min_chars"], values["max_chars"] = str(c.report.min_chars), str(c.report.max_chars)
        values.update({f"vote-{n}": f"{c.scoring.vote_values.get(g, 0):g}" for n, g in enumerate(Grade)})
        values["trimmed"] = c.scoring.trimmed_mean
        values["quorum"] = format_percent(c.scoring.quorum)
        values["rater_groups"] = format_rater_groups(c.scoring.rater_groups)
        values.update({f"weight-{n}": f"{v:g}" for n, v in enumerate(c.grading.weights.values())})
        values.update({f"band-{n}": f"{c.grading.bands.get(g, 0):g}" for n, g in enumerate(BANDS)})
        values["indicators"] = format_indicators(c.indicators)
        return cls(c, values)

    def weight_keys(self) -> list[str]:
        """The grading inputs the weight fields stand for, in field order (weight-0 …)."""
        return list(self.base.grading.weights)

    def weight_labels(self) -> list[str]:
        return [COMPONENT_LABELS[key] for key in self.weight_keys()]

    def with_values(self, **values: Value) -> CampaignForm:
        return replace(self, values={**self.values, **values})

    def text(self, key: str) -> str:
        return str(self.values.get(key, ""))

    def read(self) -> tuple[Campaign | None, dict[str, list[str]]]:
        """The campaign the form describes, or None and every problem by section."""
        errors: dict[str, list[str]] = {s: [] for s in SECTIONS}
        old = self.base
        data = old.model_dump(mode="python")
        value = self.text

        def attempt(section: str, fn):
            try:
                return fn()
            except FieldError as e:
                errors[section].append(str(e))
                return None

        data["year"] = attempt("dates", lambda: parse_whole(value("year"), "年度"))
        data["title"] = value("name").strip()
        for key, label in DATES:
            parsed = attempt("dates", lambda k=key, lab=label: parse_form_date(value(k), lab))
            if parsed:
                data[key] = parsed
        data["quota"] = {
            "good_max": attempt("quota", lambda: parse_percent(value("good_max"), "“好”的比例")),
            "rounding": self.values.get("rounding", old.quota.rounding.value),
        }
        sections = parse_list(value("sections"))
        data["report"] = {
            "sections": sections,
            "min_chars": attempt("report", lambda: parse_whole(value("min_chars"), "字数下限")),
            "max_chars": attempt("report", lambda: parse_whole(value("max_chars"), "字数上限")),
            "keywords": old.report.keywords if value("keywords") == format_keywords(old.report) else
            attempt("report", lambda: parse_keywords(value("keywords"), sections)),
        }
        data["scoring"] = {
            "vote_values": {g: attempt("scoring", lambda n=n, g=g: parse_number(value(f"vote-{n}"), f"“{g.value}”的票值"))
                            for n, g in enumerate(Grade)},
            "trimmed_mean": bool(self.values.get("trimmed", old.scoring.trimmed_mean)),
            "rater_groups": attempt("scoring", lambda: [g.model_dump() for g in parse_rater_groups(value("rater_groups"))]),
            "quorum": attempt("scoring", lambda: parse_percent(value("quorum"), "到会比例")),
        }
        data["grading"] = {
            **data["grading"],  # what the form does not show (tie_break) is kept
            "weights": {key: attempt("grading", lambda n=n, key=key: parse_number(value(f"weight-{n}"),
                                                                                   f"{COMPONENT_LABELS[key]}的权重"))
                        for n, key in enumerate(self.weight_keys())},
            "bands": {g: attempt("grading", lambda n=n, g=g: parse_number(value(f"band-{n}"), f"“{g.value}”的分数线"))
                      for n, g in enumerate(BANDS)},
        }
        indicators, problems = parse_indicators(value("indicators"))
        errors["indicators"].extend(problems)
        data["indicators"] = [i.model_dump() for i in indicators]
        if any(errors.values()):
            return None, errors
        for problem in check_value(Campaign, data):
            errors[SECTION_OF.get(problem.key.split(".")[0], "dates")].append(problem.message)
        if any(errors.values()):
            return None, errors
        return Campaign.model_validate(data), errors

    def dirty(self) -> bool:
        """Whether saving would change anything (a form that does not read counts as changed)."""
        campaign, _ = self.read()
        return campaign != self.base

    def changes(self) -> str:
        """What saving would change, in the commit's words; "" when nothing would."""
        campaign, _ = self.read()
        return describe_changes(self.base, campaign) if campaign else ""

    # the lines that follow the typing

    def quota_line(self, sample: str) -> str:
        """The quota tried on ``sample`` (the 试算 N field)."""
        try:
            fraction = parse_percent(self.text("good_max"), "比例")
            n = int(parse_number(sample, "试算 N "))
            return good_cap_text(n, fraction, self.text("rounding"))
        except (FieldError, ValueError) as e:
            return str(e)

    def weights_line(self) -> str:
        try:
            total = sum(parse_number(self.text(f"weight-{n}")) for n in range(len(self.weight_keys())))
        except FieldError:
            return "合计：有不是数字的权重"
        return f"合计 {total:g}%" + ("" if abs(total - 100) < 1e-6 else "（应为 100%）")

    def indicators_line(self) -> str:
        indicators, problems = parse_indicators(self.text("indicators"))
        return indicator_summary(indicators) + (f" · {len(problems)} 行有误" if problems else "")


def notice_2020() -> Campaign:
    """The campaign the university's 2020 notice sets up: a new archive starts with it."""
    return Campaign(
        year=2020,
        title="2020年度党支部书记述职评议考核",
        notice_date=date(2020, 12, 23),
        report_deadline=date(2021, 1, 30),
        completion_deadline=date(2021, 1, 31),
    )
