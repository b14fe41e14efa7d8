"""The report editor's state (F4): the text and what is stored, which section the cursor is
in, the 字数 guide and whether anything is unsaved. Pure: the screen draws it."""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.records import ReportSettings
from schema.report import LastYearItem, length_guide, report_words, section_label, section_of_line, template
from schema.text_form import TextForm


@dataclass
class ReportForm(TextForm):
    settings: ReportSettings = field(default_factory=ReportSettings)
    stored: str | None = None  # the text as stored ("" when not written yet); None until opened

    @classmethod
    def opened(cls, settings: ReportSettings, stored: str, editable: bool, last_year: list[LastYearItem]) -> ReportForm:
        """A report as opened: its stored text, or — not written yet and still the writer's —
        the sections' headings with last year's problems to answer."""
        form = cls(settings=settings, stored=stored)
        form.load(stored or (template(form.titles, last_year) if editable else ""))
        return form

    @property
    def titles(self) -> list[str]:
        return self.settings.sections

    @property
    def is_open(self) -> bool:
        return self.stored is not None

    @property
    def dirty(self) -> bool:
        return self.is_open and self.text != self.baseline

    @property
    def unchanged(self) -> bool:
        """Nothing to save: the text is what is stored."""
        return self.text == self.stored

    def saved_as(self, sent: str | None, stored: str) -> None:
        """A commit went through: ``sent`` (the text saved with it, if any) is stored as
        ``stored`` (with its final newline)."""
        if sent is not None:
            self.saved(sent)
        self.stored = stored

    def reloaded(self, stored: str) -> None:
        """Stored text replaced the editor's (an import)."""
        self.load(stored)
        self.stored = stored

    def section_at(self, row: int) -> int:
        """The section (1-based; 0 before the first heading) of the cursor's line."""
        return section_of_line(self.text, row, self.titles)

    def outside_sections(self) -> list[int]:
        """The lines (0-based) with text above the first section's heading: they belong to no
        section (saving warns about them)."""
        lines = []
        for number, line in enumerate(self.text.splitlines()):
            if line.startswith("## ") and section_of_line(line, 0, self.titles):
                break
            if line.strip():
                lines.append(number)
        return lines

    def count_line(self, row: int) -> tuple[str, bool]:
        """The status line under the text and whether its 字数 is outside the guide."""
        line, warn = length_guide(report_words(self.text), self.settings)
        dirty = " · 未保存" if self.dirty else ""
        return f"{line} · 光标：{section_label(self.section_at(row), self.titles)}{dirty}", warn


__all__ = ["ReportForm"]
