"""Where an imported report's paragraphs go: which paragraphs are the section headings, which
campaign section each one names, and how sure that is. Pure: paragraphs in, the report's
Markdown and a description of the mapping out; reading files is the store's work.

How headings are found. A paragraph may be a heading when it has a Heading style, is bold as a
whole, or is a short line numbered 一、 /（一）/ 1. / 1、 / 第一部分 (or, unnumbered, a short
line that names a section). Such candidates are grouped by their form (style level, bold,
kind of numbering); the group whose members name the most sections holds the section headings,
and every other candidate is a sub-heading that stays inside the section it is in.

How a heading is matched. Each section has key words (``ReportSettings.section_keywords``); a
heading scores one per key word it contains, and more when it reads like the section's title.
The highest score wins; a tie is broken by the heading's number, else by its position. The
mapping is *certain* only when every heading of the group names one section clearly and no
two name the same; otherwise the caller shows it and asks.

Before the first section heading: a title, name, date and salutation are left out (and
reported); any other text is kept as the report's preamble (and reported). After the last
section: a signature and date block is left out of that section's text (and reported), since
exports print their own byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schema.records import ReportSettings
from schema.report import ReportText, match_section, section_heading

CN_DIGITS = "一二三四五六七八九十"
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
# numbering kinds, tried in order: (kind, pattern); group 1 is the number
_NUMBERINGS = [
    ("part", re.compile(r"^第([一二三四五六七八九十\d]+)部分[、.．:：]?")),
    ("paren-cn", re.compile(r"^[（(]([一二三四五六七八九十]+)[)）][、.．]?")),
    ("paren-arabic", re.compile(r"^[（(](\d{1,2})[)）][、.．]?")),
    ("cn", re.compile(r"^([一二三四五六七八九十]+)(?:[、.．:：]|\s)")),
    ("arabic", re.compile(r"^(\d{1,2})(?:[、:：]|[.．](?!\d)|\s)")),
]
_SENTENCE_END = ("。", "；", ";", "，", ",", "！", "？", "!", "?")
_DATE = re.compile(r"^\s*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月(\s*[\d一二三四五六七八九十]{1,3}\s*日)?\s*$")
_SIGNATURE_WORDS = ("述职人", "报告人", "签名", "党支部", "书记", "支部")


@dataclass(frozen=True)
class Para:
    """A paragraph of an imported document. ``level``: its Heading style (0 for body text);
    ``bold``: the whole paragraph is bold; ``markdown``: already Markdown (a table, an image
    link), never a heading."""

    text: str
    level: int = 0
    bold: bool = False
    markdown: bool = False


@dataclass(frozen=True)
class Candidate:
    """A paragraph that may be a heading, and the section it was mapped to (0-based; None
    for a sub-heading that stays in the text)."""

    para: int  # index into the paragraphs
    text: str
    form: tuple  # (style level, bold, numbering kind): the headings of one level share it
    number: int | None
    section: int | None


@dataclass
class Imported:
    text: str
    notices: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    certain: bool = True
    doubts: list[str] = field(default_factory=list)  # why the mapping is not certain

    def mapping_lines(self, titles: list[str]) -> list[str]:
        """The mapping as the user checks it: one line per possible heading, numbered for --map."""
        lines = []
        for n, c in enumerate(self.candidates, start=1):
            target = section_heading(c.section, titles[c.section]) if c.section is not None else "（小标题，留在所在部分）"
            lines.append(f"{n}. “{c.text}” → {target}")
        return lines


class MappingError(ValueError):
    """A --map the document does not fit; the message is for the user."""


# ---------------------------------------------------------------- reading a heading


def plain(text: str) -> str:
    return _SPACES.sub("", text)


def numbering(text: str) -> tuple[str, int | None, str]:
    """(kind, number, rest) of a heading's numbering; kind "" when it is not numbered."""
    text = text.replace("\u3000", " ").strip()
    for kind, pattern in _NUMBERINGS:
        m = pattern.match(text)
        if m:
            return kind, _number(m.group(1)), text[m.end():].strip()
    return "", None, text


def _number(digits: str) -> int | None:
    if digits.isdigit():
        return int(digits)
    if digits == "十":
        return 10
    if len(digits) == 1:
        return CN_DIGITS.index(digits) + 1
    if digits.startswith("十"):
        return 10 + CN_DIGITS.index(digits[1]) + 1
    return None


def scores(text: str, settings: ReportSettings) -> list[int]:
    """How strongly a heading names each section: one per key word, three more when it reads
    like the section's title."""
    _, _, rest = numbering(text)
    flat = plain(rest)
    titled = match_section(flat, settings.sections) if flat else None
    out = []
    for index, words in enumerate(settings.section_keywords()):
        score = sum(1 for w in words if plain(w) and plain(w) in flat)
        out.append(score + (3 if titled == index else 0))
    return out


def _candidate(n: int, para: Para, settings: ReportSettings) -> Candidate | None:
    text = para.text.replace("\u3000", " ").strip()
    if para.markdown or not text or "\n" in text:
        return None
    kind, number, rest = numbering(text)
    if para.level:
        ok = len(text) <= 60
    elif para.bold:
        ok = len(text) <= 40 and not text.endswith(_SENTENCE_END)
    elif kind:
        ok = len(text) <= 30 and not text.endswith(_SENTENCE_END) and bool(rest)
    else:
        ok = len(text) <= 20 and not text.endswith(_SENTENCE_END) and max(scores(text, settings)) > 0
    if not ok:
        return None
    # a Heading style is a level by itself; bold and plain lines are told apart by their numbering
    form = (para.level, False, "") if para.level else (0, para.bold, kind)
    return Candidate(n, text, form, number, None)


# ---------------------------------------------------------------- the mapping


def map_headings(paras: list[Para], settings: ReportSettings) -> tuple[list[Candidate], list[str]]:
    """Every possible heading with the section it names (None: a sub-heading), and the
    doubts that make the mapping uncertain (none when it is certain)."""
    titles = settings.sections
    found = [c for n, p in enumerate(paras) if (c := _candidate(n, p, settings)) is not None]
    if not found:
        return [], ["没有找到任何标题"]
    groups: dict[tuple, list[Candidate]] = {}
    for c in found:
        groups.setdefault(c.form, []).append(c)

    def named(group: list[Candidate]) -> tuple[int, int, int]:
        """How well a group reads as the section headings: sections named, then not many more
        members than sections (sub-headings come in numbers), then the key words matched."""
        best = [max(scores(c.text, settings)) for c in group]
        sections = {max(range(len(titles)), key=lambda i, s=scores(c.text, settings): s[i]) for c, b in zip(group, best) if b}
        return len(sections), -max(0, len(group) - len(titles)), sum(best)

    ranked = sorted(groups.values(), key=named, reverse=True)
    chosen = ranked[0]
    # in one Heading style, numbered headings of another kind than most section headings are
    # sub-headings written in the same style (二、… then （一）…)
    kinds = [numbering(c.text)[0] for c in chosen if max(scores(c.text, settings))]
    dominant = max(set(kinds), key=kinds.count) if kinds else ""
    if dominant:
        chosen = [c for c in chosen if numbering(c.text)[0] in ("", dominant)]
    doubts: list[str] = []
    if named(chosen)[0] == 0:
        numbered = [c for c in chosen if c.number is not None]
        if len(numbered) == len(titles) and [c.number for c in numbered] == list(range(1, len(titles) + 1)):
            doubts.append("各标题都不含部分的关键词，按编号对应")
            assigned = {c.para: c.number - 1 for c in numbered}
            return [_with(c, assigned.get(c.para)) for c in found], doubts
        return list(found), ["没有标题与任何部分的关键词相符"]
    assigned: dict[int, int] = {}  # paragraph → section
    strength: dict[int, int] = {}  # section → the score that claimed it
    for position, c in enumerate(chosen):
        s = scores(c.text, settings)
        top = max(s)
        if top == 0:
            continue
        tied = [i for i, v in enumerate(s) if v == top]
        if len(tied) == 1:
            section = tied[0]
        else:
            by_number = c.number - 1 if c.number is not None and c.number - 1 in tied else None
            section = by_number if by_number is not None else (position if position in tied else tied[0])
            if by_number is None:
                doubts.append(f"“{c.text}”同样符合" + "、".join(f"“{titles[i]}”" for i in tied)
                              + f"，按顺序归入“{titles[section]}”")
        holder = next((p for p, sec in assigned.items() if sec == section), None)
        if holder is not None:
            other = next(x for x in chosen if x.para == holder)
            doubts.append(f"“{other.text}”和“{c.text}”都对应“{titles[section]}”")
            if top <= strength[section]:
                continue
            del assigned[holder]
        assigned[c.para] = section
        strength[section] = top
    for position, c in enumerate(chosen):
        if c.para in assigned:
            continue
        # same form as the section headings but naming none: by its number, when that section is free
        free = c.number is not None and 1 <= c.number <= len(titles) and c.number - 1 not in assigned.values()
        if free and max(scores(c.text, settings)) == 0:
            assigned[c.para] = c.number - 1
            doubts.append(f"“{c.text}”不含任何部分的关键词，按编号归入“{titles[c.number - 1]}”")
        else:
            doubts.append(f"“{c.text}”与部分标题格式相同，但不对应任何部分，留作小标题")
    return [_with(c, assigned.get(c.para)) for c in found], doubts


def _with(c: Candidate, section: int | None) -> Candidate:
    return Candidate(c.para, c.text, c.form, c.number, section)


def parse_mapping(text: str) -> dict[str, int]:
    """“2=3，述个人履职=1” → {"2": 3, "述个人履职": 1}: a heading (its number in the listing, or
    part of its text) → a section number, 0 for a sub-heading."""
    mapping: dict[str, int] = {}
    for item in re.split(r"[,，;；\s]+", text.strip()):
        if not item:
            continue
        key, sep, target = item.rpartition("=")
        if not sep or not key.strip() or not target.strip().isdigit():
            raise MappingError(f"“{item}”应写作 标题序号或标题文字=部分编号，如 2=3（0 表示作为小标题）。")
        mapping[key.strip()] = int(target)
    return mapping


def apply_map(candidates: list[Candidate], mapping: dict[str, int], titles: list[str]) -> list[Candidate]:
    """The user's mapping laid over the found one. Keys: a heading's number in the listing
    (1-based) or (part of) its text; values: a section number (1-based), 0 for a sub-heading.
    A section given to a heading is taken from whichever heading had it."""
    out = list(candidates)
    chosen: dict[int, int | None] = {}
    for key, target in mapping.items():
        if not 0 <= target <= len(titles):
            raise MappingError(f"--map {key}={target}：部分编号应为 1–{len(titles)}（0 表示作为小标题）。")
        key = key.strip()
        if key.isdigit():
            index = int(key) - 1
            if not 0 <= index < len(out):
                raise MappingError(f"--map {key}={target}：没有第 {key} 个标题（共 {len(out)} 个）。")
        else:
            hits = [i for i, c in enumerate(out) if plain(key) and plain(key) in plain(c.text)]
            if len(hits) != 1:
                found = "没有标题包含" if not hits else f"有 {len(hits)} 个标题包含"
                raise MappingError(f"--map {key}={target}：{found}“{key}”，请改用标题的序号。")
            index = hits[0]
        chosen[index] = target - 1 if target else None
    taken = {s for s in chosen.values() if s is not None}
    if len(taken) < len([s for s in chosen.values() if s is not None]):
        raise MappingError("--map 把两个标题对应到了同一部分。")
    for i, c in enumerate(out):
        if i in chosen:
            out[i] = _with(c, chosen[i])
        elif c.section in taken:
            out[i] = _with(c, None)
    return out


# ---------------------------------------------------------------- the report


def assemble(paras: list[Para], settings: ReportSettings, mapping: dict[str, int] | None = None) -> Imported:
    """The report's Markdown from the paragraphs, with notices on everything moved or left
    out. ``mapping``: the user's corrections (see ``apply_map``); the result is then certain."""
    titles = settings.sections
    paras = [p for p in paras if p.text.strip()]
    candidates, doubts = map_headings(paras, settings)
    if mapping:
        candidates, doubts = apply_map(candidates, mapping, titles), []
    starts = {c.para: c.section for c in candidates if c.section is not None}
    subheads = {c.para for c in candidates if c.section is None and (paras[c.para].level or paras[c.para].bold)}
    notices: list[str] = []
    report = ReportText("", ["" for _ in titles])
    if not starts:
        report.sections[0] = _join(paras, subheads)
        notices.append(f"未找到与各部分对应的标题，全部内容已放入第一部分“{titles[0]}”，请在编辑器中调整。")
        return Imported(report.render(titles), notices, candidates, False, doubts or ["没有找到部分标题"])
    first = min(starts)
    preamble = list(range(first))
    if preamble:
        texts = [paras[n].text.strip() for n in preamble]
        if all(_front_matter(paras[n]) for n in preamble):
            notices.append("开头的标题、署名、日期或称呼未放入正文：" + " / ".join(texts))
        else:
            report.preamble = _join([paras[n] for n in preamble], {n for n in preamble if n in subheads})
            notices.append(f"第一个部分标题之前的 {len(texts)} 段文字保留在报告开头（各部分之前），请在编辑器中确认。")
    order = sorted(starts)
    for k, start in enumerate(order):
        end = order[k + 1] if k + 1 < len(order) else len(paras)
        body = list(range(start + 1, end))
        if k + 1 == len(order):
            signature = _signature(paras, body)
            if signature:
                body = body[: len(body) - len(signature)]
                notices.append("末尾的署名和日期未放入正文：" + " / ".join(paras[n].text.strip() for n in signature))
        report.sections[starts[start]] = _join([paras[n] for n in body], {i for i, n in enumerate(body) if n in subheads})
    missing = [titles[i] for i in range(len(titles)) if i not in starts.values()]
    if missing:
        notices.append("未找到以下部分的标题，这些部分为空：" + "、".join(f"“{t}”" for t in missing) + "。")
    tables = sum(1 for p in paras if p.markdown and p.text.lstrip().startswith("|"))
    if tables:
        notices.append(f"{tables} 个表格已转为 Markdown 表格。")
    return Imported(report.render(titles), notices, candidates, not doubts, doubts)


def _front_matter(para: Para) -> bool:
    """A title, name, date or salutation line: short, and not a sentence."""
    text = para.text.strip()
    return not para.markdown and len(text) <= 60 and "。" not in text and "\n" not in text


def _signature(paras: list[Para], body: list[int]) -> list[int]:
    """The trailing signature and date of the last section's body (empty when there is none)."""
    tail: list[int] = []
    for n in reversed(body):
        text = paras[n].text.strip()
        short = not paras[n].markdown and len(text) <= 40 and not text.endswith(_SENTENCE_END) and "。" not in text
        if not short:
            break
        tail.insert(0, n)
    marked = [n for n in tail if _DATE.match(plain(paras[n].text)) or any(w in paras[n].text for w in _SIGNATURE_WORDS)]
    if not marked:
        return []
    start = tail.index(marked[0])
    # a name on its own line just above the first marked line belongs to the signature too
    if start and len(plain(paras[tail[start - 1]].text)) <= 8:
        start -= 1
    return tail[start:]


def _join(paras: list[Para], subheads: set[int]) -> str:
    lines = []
    for n, para in enumerate(paras):
        text = para.text.strip() if para.markdown else para.text.replace("\u3000", " ").strip()
        lines.append(f"### {text}" if n in subheads else text)
    return "\n\n".join(lines)
