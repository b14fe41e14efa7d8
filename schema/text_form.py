"""A text being edited in a form: what it is now, what it was when loaded or last saved
(so the form knows it has unsaved changes), and a destructive action waiting for its second
press. Pure state: the screen draws it and forwards its TextArea's changes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TextForm:
    text: str = ""
    baseline: str = ""  # as loaded or last saved: what “未保存” compares with
    armed: str = ""  # an action pressed once that waits for a second press

    @property
    def dirty(self) -> bool:
        return self.text != self.baseline

    def load(self, text: str) -> None:
        """New text from outside (opened, imported, redrafted …): nothing unsaved."""
        self.text = self.baseline = text
        self.armed = ""

    def edit(self, text: str) -> None:
        """The user changed the text: an armed action must be pressed twice again."""
        if text != self.text:
            self.text = text
            self.armed = ""

    def saved(self, text: str) -> None:
        """``text`` (what was sent, perhaps edited further since) is now stored."""
        self.baseline = text

    def may(self, action: str) -> bool:
        """Whether ``action`` (which would lose unsaved changes) goes ahead now: yes when
        nothing is unsaved or on its second press in a row; a first press only arms it."""
        if not self.dirty or self.armed == action:
            self.armed = ""
            return True
        self.armed = action
        return False


__all__ = ["TextForm"]
