"""Grading in the archive: saving a set of grades, finalising (commit + git tag), reopening.

What finalising freezes is enforced in the commit path (``store.freeze``, under the archive
lock), so no caller can change a frozen input behind the grading's back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from schema.changes import changes
from schema.grading import FinalRow, cap_for, check_finalise, check_grades, distribution, distribution_text, finalised_text
from schema.kinds import Grade
from schema.records import COMPONENT_LABELS, Campaign, Finalisation, Org, OrgYear, Review
from store import layout
from store.archive import Archive, Change, Stored
from store.errors import FrozenError, StoreError  # noqa: F401 - FrozenError: raised by the commit path
from store.tomlio import blob_version, render


class GradingError(StoreError):
    """The set of grades breaks a rule (the cap, a missing reason); nothing was saved."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def read_org_year(archive: Archive, org: str, year: int) -> Stored[OrgYear]:
    path = layout.org_year_path(org, year)
    data, _ = archive.read_bytes(path)
    if data is None:
        return Stored(OrgYear(org=org, year=year), path, None)
    return archive.read(OrgYear, path)


def record_change(archive: Archive, stored: Stored, record) -> Change:
    """The Change that writes ``record`` over ``stored``, keeping the file's comments."""
    previous, _ = archive.read_bytes(stored.path) if stored.version else (None, None)
    text = render(record, previous.decode("utf-8") if previous else None)
    return Change(stored.path, text.encode(), stored.version)


def _unchanged(archive: Archive, stored: Stored) -> Change:
    """Commit ``stored`` as it is on disk, on condition it is still the version read."""
    data, _ = archive.read_bytes(stored.path)
    return Change(stored.path, data, stored.version)


def save_review(archive: Archive, stored: Stored[Review], review: Review, message: str, body: str = "",
                extra: Iterable[Change] = (), org_name: str = "") -> Stored[Review]:
    """Save one review (one commit); the commit refuses changes to what finalising froze.

    ``extra``: more changes to commit with it (an evidence file from ``attachments.prepare``)."""
    change = record_change(archive, stored, review)
    archive.commit([change, *extra], message, body)
    return Stored(review, stored.path, blob_version(change.data))


# ---------------------------------------------------------------- a set of grades


@dataclass
class GradeSet:
    """One organisation's reviews as the committee left them on the grading screen."""

    org: Org
    year: int
    rows: list[tuple[Stored[Review], Review]]  # every in-scope branch: (as read, as edited)
    names: dict[str, str]  # branch id → name

    def final_rows(self) -> list[FinalRow]:
        return [
            FinalRow(new.branch, self.names.get(new.branch, new.branch), new.grade.suggested, new.grade.final, new.grade.reason)
            for _, new in self.rows
        ]


def save_grades(archive: Archive, grades: GradeSet, campaign: Campaign) -> list[Stored[Review]]:
    """Save the organisation's grades and inputs as one commit; refuse a set that breaks a rule."""
    cap = cap_for(len(grades.rows), campaign.quota)
    problems = check_grades(grades.final_rows(), cap)
    if problems:
        raise GradingError([p.message for p in problems])
    changed = [(s, r) for s, r in grades.rows if s.version is None or s.record != r]
    if not changed:
        return [s for s, _ in grades.rows]
    changes = [record_change(archive, s, r) for s, r in changed]
    archive.commit(changes, _grades_subject(grades, changed), _grades_body(grades, changed))
    by_path = {c.path: c for c in changes}
    out = []
    for stored, new in grades.rows:
        change = by_path.get(stored.path)
        out.append(Stored(new, stored.path, blob_version(change.data)) if change else stored)
    return out


def _grades_subject(grades: GradeSet, changed) -> str:
    regraded = [(s, r) for s, r in changed if s.record.grade.final != r.grade.final]
    if len(changed) == 1 and len(regraded) == 1:
        _, r = regraded[0]
        final = r.grade.final.value if r.grade.final else "（未定）"
        return f"评定：{grades.names.get(r.branch, r.branch)} → {final}"
    counts = distribution([r.grade.final for _, r in grades.rows])
    what = "等次" if regraded else "评定输入"
    return f"评定：{grades.org.name} {len(changed)} 个党支部的{what}（{distribution_text(counts)}）"


def _grades_body(grades: GradeSet, changed) -> str:
    lines = []
    for old, new in changed:
        name = grades.names.get(new.branch, new.branch)
        a, b = old.record, new
        parts = changes(a.grade, b.grade, [("final", "等次"), ("suggested", "建议")])
        if a.grade.reason != b.grade.reason and b.grade.reason:
            parts.append(f"理由：{b.grade.reason}")
        parts += changes(a.components, b.components, COMPONENT_LABELS.items())
        if a.tally != b.tally:
            parts.append("测评结果（会议计票）")
        lines.append(f"{name}：{'；'.join(parts) or '修改'}")
    return "\n".join(lines)


def _g(grade: Grade | None) -> str:
    return grade.value if grade else "（空）"


# ---------------------------------------------------------------- finalise and reopen


def tag_prefix(org: str, year: int) -> str:
    return f"finalise/{year}/{org}/"


def finalise_tags(archive: Archive, org: str, year: int) -> list[str]:
    out = archive.git.run("tag", "--list", f"{tag_prefix(org, year)}*")
    tags = [t for t in out.splitlines() if t]
    return sorted(tags, key=lambda t: int(t.rsplit("/", 1)[1]))


def finalise(archive: Archive, grades: GradeSet, campaign: Campaign, when: datetime) -> Stored[OrgYear]:
    """Freeze the organisation's grading: one commit of the org-year record and a git tag on it.

    The grades must be saved already (``rows`` unchanged from disk) and complete."""
    if any(s.version is None or s.record != r for s, r in grades.rows):
        raise GradingError(["还有未保存的修改，请先保存（Ctrl+S）再定档"])
    cap = cap_for(len(grades.rows), campaign.quota)
    problems = check_finalise(grades.final_rows(), cap)
    if problems:
        raise GradingError([p.message for p in problems])
    org, year = grades.org, grades.year
    with archive.lock.held():
        org_year = read_org_year(archive, org.id, year)
        if org_year.record.grading.finalised:
            raise GradingError([f"{org.name}的评定{finalised_text(org_year.record.grading)}"])
        tag = f"{tag_prefix(org.id, year)}{len(finalise_tags(archive, org.id, year)) + 1}"
        fin = org_year.record.grading.model_copy(
            update={"finalised": True, "at": when.isoformat(timespec="seconds"), "by": archive.operator.name, "tag": tag}
        )
        record = org_year.record.model_copy(update={"grading": fin})
        counts = distribution([r.grade.final for _, r in grades.rows])
        subject = f"定档：{org.name}{year}年度评定（{distribution_text(counts)}）"
        # the reviews are committed at the versions graded: a change meanwhile is a conflict
        held = [_unchanged(archive, s) for s, _ in grades.rows]
        change = record_change(archive, org_year, record)
        sha = archive.commit([change, *held], subject, _finalise_body(grades))
        sha = sha or archive.head()
        archive.git.run("tag", "-a", tag, "-m", subject, sha, env=archive.git_env())
    return Stored(record, org_year.path, blob_version(change.data))


def _finalise_body(grades: GradeSet) -> str:
    return "\n".join(
        f"{grades.names.get(r.branch, r.branch)}：{_g(r.grade.final)}" + (f"（{r.grade.reason}）" if r.grade.reason else "")
        for _, r in grades.rows
    )


def reopen(archive: Archive, org: Org, year: int, reason: str, when: datetime) -> Stored[OrgYear]:
    """Lift the freeze; the reason is kept on the record and in the commit."""
    reason = reason.strip()
    if not reason:
        raise GradingError(["重新打开评定需要说明原因"])
    org_year = read_org_year(archive, org.id, year)
    fin = org_year.record.grading
    if not fin.finalised:
        raise GradingError([f"{org.name}的评定没有定档，不需要重新打开"])
    entry = f"{when.isoformat(timespec='seconds')} {archive.operator.name}：{reason}"
    new = Finalisation(finalised=False, at="", by="", tag="", reopen_reasons=[*fin.reopen_reasons, entry])
    record = org_year.record.model_copy(update={"grading": new})
    saved = archive.save(org_year, record, f"重新打开评定：{org.name}{year}年度（{reason}）", f"原定档标签：{fin.tag}")
    return saved
