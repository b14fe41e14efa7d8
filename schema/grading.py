"""Grading rules: the composite score, the rank, the suggested grade under the 好 quota,
the check of a set of final grades, and what finalising freezes.

All pure functions over records; the store and the screens call them.

Rules (defaults named in ``GradingSettings`` and ``Quota``):

* **Inputs.** 述职情况 = ``components.report``; 测评结果 = the published meeting tally's
  weighted vote score (``tally.score``) when there is one, else ``components.rating``
  keyed by hand; 日常了解 = ``components.daily``; 督查检查 = ``components.inspection``.
  The ``Components`` field names are the inputs' ids everywhere: the weight keys, the
  tie-break keys, the keys of ``inputs_of``; ``COMPONENT_LABELS`` gives their labels.
  Each is 0–100 (a grade typed instead is turned into a score with the campaign's vote values).
* **Composite.** The weighted mean of the inputs with the campaign's weights. A missing
  input does not count as 0: the weights are re-normalised over the inputs present
  (述职 80 and 测评 90 with weights 20/50 and nothing else → (20×80 + 50×90) ÷ 70 = 87.14).
  No input at all → no composite, no rank, no suggestion. Composites are rounded to two
  decimals (half up) before anything compares them.
* **Rank.** By the campaign's tie-break keys in order (default: composite, then 测评结果,
  then the share of 好 votes), each descending, missing values last. Branches equal on
  every key share a rank (1, 2, 2, 4). The branch id orders equal rows for display only.
* **Suggestion.** The band of the composite (好 ≥ 90, 较好 ≥ 75, 一般 ≥ 60, else 差), then
  the quota: at most ``good_cap(N)`` 好, N = the organisation's in-scope branches, filled
  by rank. Branches in the band 好 beyond the cap are suggested 较好. If the cap falls
  inside a group tied on every key, the whole tied group is suggested 较好: the rules
  never pick one of equals arbitrarily, and the committee decides (with a reason).
  Adding ``"id"`` to the tie-break keys breaks every tie by branch id instead.
* **Final grades.** The committee may set any grade; one that differs from the suggestion
  needs a reason. A set of final grades with more 好 than the cap is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from schema.dates import cn_date
from schema.kinds import Grade, Rounding
from schema.quota import ROUNDING_LABELS, good_cap, percent
from schema.records import COMPONENT_LABELS, Finalisation, GradingSettings, Quota, Review, ScoringSettings

GRADES: list[Grade] = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR]

# tie-break keys → what they compare
TIE_BREAK_KEYS: dict[str, str] = {
    "composite": "综合得分",
    **COMPONENT_LABELS,
    "good_share": "好票占比",
    "good_or_fair_share": "好和较好票占比",
    "id": "党支部 id",
}
DEFAULT_TIE_BREAK = ["composite", "rating", "good_share"]



# ---------------------------------------------------------------- quota


@dataclass(frozen=True)
class Cap:
    """How many 好 an organisation of ``n`` branches may have, and why."""

    n: int
    fraction: float
    rounding: Rounding
    cap: int

    @property
    def explanation(self) -> str:
        """``30% × 7 = 2.1，向下取整``; exact products need no rounding note."""
        product = Decimal(str(self.fraction)) * self.n
        text = f"{percent(self.fraction)} × {self.n} = {_num(product)}"
        if product != product.to_integral_value():
            text += f"，{ROUNDING_LABELS[self.rounding]}"
        return text

    def over_message(self, good: int) -> str:
        return f"好 {good} 个，上限 {self.cap} 个（{self.explanation}）"

    @property
    def label(self) -> str:
        return f"“好”不超过 {self.cap} 个（{self.explanation}）"


def cap_for(n: int, quota: Quota) -> Cap:
    return Cap(n, quota.good_max, quota.rounding, good_cap(n, quota.good_max, quota.rounding))


def _num(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


# ---------------------------------------------------------------- composite


def grade_score(text: str, scoring: ScoringSettings) -> float:
    """A component typed as a number (0–100) or as a grade word (好 → 100 by default)."""
    text = text.strip()
    try:
        return scoring.vote_values[Grade(text)]
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"“{text}”不是 0–100 的分数，也不是等次（好、较好、一般、差）") from None
    if not 0 <= value <= 100:
        raise ValueError(f"分数应在 0–100 之间，现为 {text}")
    return value


def inputs_of(review: Review) -> dict[str, float | None]:
    """The four inputs of one review, keyed as the weights are (by ``Components`` field)."""
    c = review.components
    rating = review.tally.score if review.tally is not None and review.tally.score is not None else c.rating
    return {"report": c.report, "rating": rating, "daily": c.daily, "inspection": c.inspection}


def rating_from_tally(review: Review) -> bool:
    return review.tally is not None and review.tally.score is not None


def composite(inputs: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Weighted mean over the inputs present (weights re-normalised), two decimals."""
    total = Decimal(0)
    weight = Decimal(0)
    for key, w in weights.items():
        value = inputs.get(key)
        if value is None or w <= 0:
            continue
        total += Decimal(str(w)) * Decimal(str(value))
        weight += Decimal(str(w))
    if weight == 0:
        return None
    return float((total / weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def band(score: float | None, bands: dict[Grade, float]) -> Grade | None:
    """The grade whose threshold the score reaches (highest first); below all → 差."""
    if score is None:
        return None
    for grade in GRADES:
        threshold = bands.get(grade)
        if threshold is not None and score >= threshold:
            return grade
    return Grade.POOR


def good_share(review: Review) -> float | None:
    t = review.tally
    if t is None:
        return None
    if t.good_share is not None:
        return t.good_share
    return t.counts.get(Grade.GOOD.value, 0) / t.valid if t.valid else None


def good_or_fair_share(review: Review) -> float | None:
    t = review.tally
    if t is None:
        return None
    if t.good_or_fair_share is not None:
        return t.good_or_fair_share
    both = t.counts.get(Grade.GOOD.value, 0) + t.counts.get(Grade.FAIRLY_GOOD.value, 0)
    return both / t.valid if t.valid else None


# ---------------------------------------------------------------- rank and suggestion


@dataclass(frozen=True)
class Entry:
    """What the rules need of one branch."""

    branch: str
    inputs: dict[str, float | None]
    good_share: float | None = None
    good_or_fair_share: float | None = None

    @classmethod
    def of(cls, review: Review) -> Entry:
        return cls(review.branch, inputs_of(review), good_share(review), good_or_fair_share(review))


@dataclass(frozen=True)
class Suggestion:
    branch: str
    composite: float | None
    rank: int | None
    band: Grade | None
    suggested: Grade | None
    note: str = ""  # why the band's 好 became 较好


def tie_values(entry: Entry, score: float | None, keys: list[str]) -> tuple:
    """Sort key, ascending = better: each key descending with missing values last."""
    out: list = []
    for key in keys:
        if key == "id":
            out.append((0, entry.branch))
            continue
        if key == "composite":
            value = score
        elif key == "good_share":
            value = entry.good_share
        elif key == "good_or_fair_share":
            value = entry.good_or_fair_share
        else:
            value = entry.inputs.get(key)
        out.append((1, 0.0) if value is None else (0, -value))
    return tuple(out)


def suggest(entries: list[Entry], settings: GradingSettings, quota: Quota, n: int | None = None) -> list[Suggestion]:
    """Rank ``entries`` and suggest a grade for each, in rank order.

    ``n`` is the organisation's count of in-scope branches (default: ``len(entries)``)."""
    keys = settings.tie_break or DEFAULT_TIE_BREAK
    cap = cap_for(len(entries) if n is None else n, quota).cap
    scored = [(e, composite(e.inputs, settings.weights)) for e in entries]
    scored.sort(key=lambda es: (es[1] is None, tie_values(es[0], es[1], keys), es[0].branch))

    ranks: list[int | None] = []
    last_key, last_rank = None, None
    for position, (entry, score) in enumerate(scored, start=1):
        if score is None:
            ranks.append(None)
            continue
        key = tie_values(entry, score, keys)
        if key != last_key:
            last_key, last_rank = key, position
        ranks.append(last_rank)

    bands_of = [band(score, settings.bands) for _, score in scored]
    good = [i for i, g in enumerate(bands_of) if g == Grade.GOOD]  # already in rank order
    demoted: dict[int, str] = {}
    if len(good) > cap:
        boundary = ranks[good[cap]]  # the rank of the first branch left out
        straddles = cap > 0 and ranks[good[cap - 1]] == boundary
        for position, i in enumerate(good):
            if straddles and ranks[i] == boundary:
                demoted[i] = "名额边界并列，无法区分"
            elif position >= cap:
                demoted[i] = "超出“好”的名额"

    out = []
    for i, (entry, score) in enumerate(scored):
        grade = bands_of[i]
        note = demoted.get(i, "")
        if note:
            grade = Grade.FAIRLY_GOOD
        out.append(Suggestion(entry.branch, score, ranks[i], bands_of[i], grade, note))
    return out


# ---------------------------------------------------------------- final grades


@dataclass(frozen=True)
class GradeProblem:
    branch: str | None  # None: about the whole set
    message: str


def departs(suggested: Grade | None, final: Grade | None) -> bool:
    return final is not None and suggested is not None and final != suggested


def needs_reason(suggested: Grade | None, final: Grade | None, reason: str) -> bool:
    """A final grade that departs from the suggestion needs a reason."""
    return departs(suggested, final) and not reason.strip()


def distribution(grades: list[Grade | None]) -> dict[Grade, int]:
    counts = {g: 0 for g in GRADES}
    for g in grades:
        if g is not None:
            counts[g] += 1
    return counts


def distribution_text(counts: dict[Grade, int]) -> str:
    return "、".join(f"{g.value} {counts[g]}" for g in GRADES)


@dataclass
class FinalRow:
    branch: str
    name: str
    suggested: Grade | None
    final: Grade | None
    reason: str = ""


def check_grades(rows: list[FinalRow], cap: Cap) -> list[GradeProblem]:
    """Every reason the set of final grades cannot be saved (the cap first)."""
    problems = []
    good = sum(1 for r in rows if r.final == Grade.GOOD)
    if good > cap.cap:
        problems.append(GradeProblem(None, cap.over_message(good)))
    for r in rows:
        if needs_reason(r.suggested, r.final, r.reason):
            problems.append(GradeProblem(
                r.branch, f"{r.name}：最终等次“{r.final.value}”与建议“{r.suggested.value}”不同，请填写理由"
            ))
    return problems


def check_finalise(rows: list[FinalRow], cap: Cap) -> list[GradeProblem]:
    """What stops finalising: the save checks, and every branch needs a final grade."""
    problems = check_grades(rows, cap)
    missing = [r.name for r in rows if r.final is None]
    if missing:
        problems.append(GradeProblem(None, f"还有 {len(missing)} 个党支部没有最终等次：{'、'.join(missing[:5])}"
                                           + ("等" if len(missing) > 5 else "")))
    if not rows:
        problems.append(GradeProblem(None, "没有纳入考核的党支部"))
    return problems


# ---------------------------------------------------------------- freezing

FROZEN_PARTS: dict[str, str] = {
    "components": "评定输入",
    "tally": "测评结果（会议计票）",
    "grade": "等次",
    "scope_exception": "范围例外",
}


def frozen_changes(old: Review, new: Review) -> list[str]:
    """The frozen parts of a review that ``new`` changes (labels, in a fixed order)."""
    return [label for part, label in FROZEN_PARTS.items() if getattr(old, part) != getattr(new, part)]


def finalised_text(fin: Finalisation) -> str:
    """已定档（第1次，2021年1月21日）: the git tag (finalise/2020/chem/1) read for people."""
    number = fin.tag.rsplit("/", 1)[-1]
    parts = [f"第{number}次"] if number.isdigit() else []
    try:
        parts.append(cn_date(datetime.fromisoformat(fin.at).date()))
    except ValueError:
        pass
    return "已定档" + (f"（{'，'.join(parts)}）" if parts else "")


def frozen_message(org_name: str, fin: Finalisation, parts: list[str]) -> str:
    return (f"{org_name}的评定{finalised_text(fin)}，不能修改{'、'.join(parts)}。"
            "如需修改，请先在评定界面（F6）按 o 重新打开评定并说明原因。")
