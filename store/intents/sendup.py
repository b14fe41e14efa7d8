"""报送 (F8): what organisations send up — the figures and each one's progress, the
statistics table, the work report, the stamped scan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schema.progress import OrgProgress
from schema.records import Submission
from schema.stats import StatsTable
from store import sendup, stats_export, work_report
from store.intents.base import Intents
from store.work_report import WorkReportSaved


@dataclass(frozen=True)
class WorkReportOpened:
    """The work report as the editor opens it: the saved text, else a draft from the records."""

    text: str
    version: str | None  # None: a draft, not saved yet


class SendUpIntents(Intents):
    # ------------------------------------------------------------------ reading

    def progress(self) -> list[OrgProgress]:
        """Every organisation's progress and checklist (reads the saved work reports: from a worker)."""
        return sendup.progress(self.archive, self.snapshot, self.clock.today())

    def statistics(self, org_id: str | None = None) -> StatsTable:
        """附件2: one organisation's figures, or every one's and the total."""
        sendup.require_org(self.snapshot, org_id)
        return sendup.statistics(self.snapshot, org_id)

    def work_report(self, org_id: str) -> WorkReportOpened:
        sendup.require_org(self.snapshot, org_id)
        text, version = work_report.saved_text(self.archive, self.snapshot.org_year(org_id).record)
        return WorkReportOpened(text if text is not None else sendup.draft(self.snapshot, org_id), version)

    def draft_work_report(self, org_id: str) -> str:
        """The work report drafted anew from the latest records."""
        sendup.require_org(self.snapshot, org_id)
        return sendup.draft(self.snapshot, org_id)

    def work_report_path(self, org_id: str) -> str:
        """Where the work report is kept (for its history)."""
        return work_report.file_of(self.snapshot.org_year(org_id).record)

    # ------------------------------------------------------------------ changing

    def save_work_report(self, org_id: str, text: str, base: str | None = None) -> WorkReportSaved:
        """Commit the work report's text. ``base``: the version the editor started from (None:
        the first save, a draft). Over 3000 字 is saved; it is only refused on export."""
        sendup.require_org(self.snapshot, org_id)
        saved = work_report.save(self.archive, self.snapshot, org_id, text, base, "起草" if base is None else "修改")
        self.service.absorb(saved.org_year)
        return saved

    def submit_scan(self, org_id: str, path: Path | str) -> Submission:
        """Store the stamped scan with its SHA-256 and mark the materials submitted (one commit)."""
        sendup.require_org(self.snapshot, org_id)
        stored = sendup.attach_scan(self.archive, self.snapshot, org_id, Path(path).expanduser(), self.clock.today())
        self.service.absorb(stored.org_year)
        return stored.submission

    # ------------------------------------------------------------------ out of the archive

    def export_stats(self, path: Path | str, org: str | None = None) -> Path:
        """附件2 as a spreadsheet: one organisation, or all and the total; refused while a record
        it is drawn from is broken."""
        sendup.require_org(self.snapshot, org)
        sendup.refuse_if_broken(self.snapshot, org)
        return stats_export.write_xlsx(sendup.statistics(self.snapshot, org), Path(path).expanduser())

    def export_work_report(self, org_id: str, path: Path | str, text: str | None = None) -> Path:
        """The work report as .docx or .md (``text``: the editor's, else the saved one or a draft);
        refused over 3000 字."""
        sendup.require_org(self.snapshot, org_id)
        if text is None:
            sendup.refuse_if_broken(self.snapshot, org_id)  # a draft from a broken record would be wrong
        body = text if text is not None else sendup.work_report_text(self.archive, self.snapshot, org_id)
        return work_report.export(body, Path(path).expanduser(), self.snapshot.settings.official_format,
                                  work_report.signature(self.snapshot, org_id, self.clock.today()))


__all__ = ["SendUpIntents", "WorkReportOpened"]
