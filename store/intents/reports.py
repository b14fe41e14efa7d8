"""述职报告 (F4): import, edit and move a report through review; its facts; export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schema.records import Branch, BranchFacts, ReportSettings, Review
from schema.report import NEEDS_EVERY_SECTION, LastYearItem, ReportAction, describe_facts_change, empty_sections
from schema.report_import import Imported
from store import reports
from store.archive import Stored
from store.errors import StoreError
from store.intents.base import Intents
from store.reports import ReportDoc, UncertainMapping


class EmptySections(StoreError):
    """A step past 已提交 with sections still empty: refused unless allowed explicitly."""

    def __init__(self, titles: list[str]):
        self.titles = titles
        super().__init__("以下部分还是空的：" + "、".join(f"“{t}”" for t in titles) + "。确认仍要继续时请明确允许。")


@dataclass(frozen=True)
class ReportOpened:
    """A report as the editor opens it: its text as stored and last year's problems to answer."""

    doc: ReportDoc
    last_year: list[LastYearItem]


@dataclass(frozen=True)
class ReportSaved:
    review: Stored[Review]
    doc: ReportDoc  # the text as now stored: the base of the next save
    notices: tuple[str, ...] = ()  # what an import moved or left out


@dataclass(frozen=True)
class Exported:
    count: int  # reports written
    path: Path


@dataclass(frozen=True)
class FactsSaved:
    review: Stored[Review]
    message: str  # the commit's subject


class ReportIntents(Intents):
    def _branch(self, branch_id: str) -> Branch:
        stored = self.snapshot.branches.get(branch_id)
        if stored is None:
            raise StoreError(f"没有 id 为 “{branch_id}” 的党支部。")
        return stored.record

    def _saved(self, stored: Stored[Review], doc: ReportDoc, notices=()) -> ReportSaved:
        self.service.absorb(stored)
        return ReportSaved(stored, doc, tuple(notices))

    @property
    def titles(self) -> list[str]:
        return self.snapshot.campaign.report.sections

    @property
    def settings(self) -> ReportSettings:
        return self.snapshot.campaign.report

    # ------------------------------------------------------------------ reading

    def open(self, branch_id: str) -> ReportOpened:
        """The report's text and last year's problems (reads files: from a worker)."""
        self._branch(branch_id)
        review = self.snapshot.review(branch_id).record
        return ReportOpened(reports.read(self.archive, review),
                            reports.last_year(self.archive, self.snapshot.campaign, review))

    def history_path(self, branch_id: str) -> str:
        """What the history screen shows for this report: the review record and its text."""
        return reports.history_pathspec(self.snapshot.review(branch_id).record)

    # ------------------------------------------------------------------ changing

    def save_text(self, branch_id: str, text: str, doc: ReportDoc | None = None) -> ReportSaved:
        """Save the report's text (one commit). ``doc``: the text the editor started from, so
        that a concurrent save of the same report is a conflict; None reads it now."""
        branch = self._branch(branch_id)
        stored = self.snapshot.review(branch_id)
        doc = doc or reports.read(self.archive, stored.record)
        return self._saved(*reports.save_text(self.archive, stored, doc, text, branch))

    def move(self, branch_id: str, action: ReportAction, reason: str = "", *, section: int = 0,
             text: str | None = None, doc: ReportDoc | None = None, allow_empty: bool = False) -> ReportSaved:
        """One step of the review: submit, return (``reason`` is the reviewer's comment on
        ``section``), approve, archive or reopen (``reason`` required). ``text``: unsaved edits,
        committed with the step while the report is still the writer's. Submitting, approving
        or archiving a report with an empty section needs ``allow_empty`` (EmptySections)."""
        branch = self._branch(branch_id)
        stored = self.snapshot.review(branch_id)
        doc = doc or reports.read(self.archive, stored.record)
        empty = empty_sections(text if text is not None else doc.text, self.titles)
        if ReportAction(action) in NEEDS_EVERY_SECTION and empty and not allow_empty:
            raise EmptySections(empty)
        return self._saved(*reports.move(self.archive, stored, doc, ReportAction(action), branch, self.clock.now(),
                                         reason, section, text))

    def preview_import(self, branch_id: str, path: Path | str, mapping: dict[str, int] | None = None) -> Imported:
        """What importing the file would give, and how sure its section mapping is (reads the file only)."""
        self._branch(branch_id)
        return reports.read_import(Path(path).expanduser(), self.settings, mapping)

    def import_file(self, branch_id: str, path: Path | str, mapping: dict[str, int] | None = None,
                    confirmed: bool = False) -> ReportSaved:
        """Replace the report's text with a .docx, .md or .txt file (one commit). When the
        mapping of its headings to sections is not certain, raises UncertainMapping unless
        ``mapping`` (heading number or text → section number, 0 for a sub-heading) or ``confirmed``."""
        branch = self._branch(branch_id)
        stored, doc, notices = reports.import_file(self.archive, self.snapshot.review(branch_id), branch,
                                                   self.settings, Path(path).expanduser(), mapping, confirmed)
        return self._saved(stored, doc, notices)

    def save_facts(self, branch_id: str, facts: BranchFacts) -> FactsSaved | None:
        """The branch's facts of the year (one commit); None when nothing changed."""
        branch = self._branch(branch_id)
        stored = self.snapshot.review(branch_id)
        change = describe_facts_change(stored.record.facts, facts)
        if not change:
            return None
        message = f"修改支部数据：{branch.name}（{change}）"
        _, saved = self.service.save(stored, stored.record.model_copy(update={"facts": facts}), message)
        return FactsSaved(saved, message)

    # ------------------------------------------------------------------ out of the archive

    def export(self, which: str | list[str], path: Path | str) -> Exported:
        """Write the written reports of an organisation's branches in scope (``which`` an org id)
        or of the branches listed, as one .docx or Markdown file; returns how many."""
        snap = self.snapshot
        if isinstance(which, str):
            if which not in snap.orgs:
                raise StoreError(f"没有 id 为 “{which}” 的二级党组织。")
            ids = [b.id for b in snap.org_branches(which) if snap.scope(b.id).in_scope]
        else:
            ids = list(which)
        items = reports.export_items(self.archive, snap, ids)
        if not items:
            raise StoreError("本单位还没有撰写的述职报告，没有可导出的内容。")
        target = Path(path).expanduser()
        reports.export(items, self.titles, target, snap.settings.official_format)
        return Exported(len(items), target.resolve())


__all__ = ["EmptySections", "Exported", "FactsSaved", "ReportIntents", "ReportOpened", "ReportSaved", "UncertainMapping"]
