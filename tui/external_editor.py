"""Editing a text in the user's own editor ($VISUAL, $EDITOR, else nano or vi): the terminal
is handed over while it runs, on a private scratch copy outside the archive."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from textual.app import App


class EditorUnavailable(Exception):
    """No editor, or it could not be started; the message is for the user."""


def editor_command() -> str | None:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or shutil.which("nano") or shutil.which("vi")


def edit_externally(app: App, text: str, suffix: str = ".md") -> str:
    """The text as the user left it in the editor (only a save in the app commits it)."""
    editor = editor_command()
    if not editor:
        raise EditorUnavailable("没有可用的外部编辑器：请设置环境变量 EDITOR。")
    fd, scratch = tempfile.mkstemp(suffix=suffix, prefix="shuping-report-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            with app.suspend():
                subprocess.run([*shlex.split(editor), scratch], check=False)
        except Exception as e:  # SuspendNotSupported in some environments, OSError for a bad $EDITOR
            raise EditorUnavailable(f"无法打开外部编辑器：{e}") from e
        return Path(scratch).read_text(encoding="utf-8")
    finally:
        Path(scratch).unlink(missing_ok=True)


__all__ = ["EditorUnavailable", "edit_externally", "editor_command"]
