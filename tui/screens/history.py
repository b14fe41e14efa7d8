"""History of one record (or the archive): who changed what, when, and the diff."""

from __future__ import annotations

import re

from rich.syntax import Syntax
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from schema.dates import cn_datetime
from tui.keys import Action, register
from tui.screens.base import AppScreen


HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
SKIPPED = ("index ", "--- ", "+++ ", "similarity index", "\\ No newline")


def readable_diff(text: str) -> str:
    """git's diff with its English headers said in Chinese; the + and - lines as they are."""
    out = []
    for line in text.splitlines():
        if line.startswith("diff --git "):
            out.append(f"文件 {line.split(' b/', 1)[-1]}")
        elif line.startswith("new file mode"):
            out[-1:] = [f"{out[-1]}（新建）"] if out else []
        elif line.startswith("deleted file mode"):
            out[-1:] = [f"{out[-1]}（删除）"] if out else []
        elif line.startswith(("rename from ", "rename to ")):
            out.append(("原名 " if line.startswith("rename from") else "新名 ") + line.split(" ", 2)[2])
        elif line.startswith("Binary files"):
            out.append("（二进制文件有改动）")
        elif m := HUNK.match(line):
            out.append(f"第 {m.group(1)} 行起：")
        elif not line.startswith(SKIPPED) and not line.startswith(("old mode", "new mode")):
            out.append(line)
    return "\n".join(out)


class HistoryScreen(AppScreen):
    SCOPE = "修改历史"
    BINDINGS = register(
        SCOPE,
        [
            Action("history.back", "escape", "back", "返回", "返回上一界面"),
        ],
    )

    def __init__(self, path: str | None, name: str = ""):
        super().__init__()
        self.path = path
        self.record_name = name or path or "整个档案"
        self.commits = []

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        where = "全部记录" if not self.path else "" if self.path.startswith(":(") else self.path  # no git pathspec magic
        yield Static(f"{self.record_name}（{where}）" if where else self.record_name, classes="subtitle")
        yield DataTable(id="commits", cursor_type="row")
        with VerticalScroll(id="diff"):
            yield Static(id="diff-text")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#commits", DataTable)
        table.add_columns("时间", "操作人", "说明")
        self.load_history()

    @work(thread=True, exclusive=True)
    def load_history(self) -> None:
        commits = self.shuping.service.history(self.path)
        self.app.call_from_thread(self._show, commits)

    def _show(self, commits) -> None:
        self.commits = commits
        table = self.query_one("#commits", DataTable)
        table.clear()
        zone = self.shuping.service.clock.tz  # the archive's time zone
        for c in commits:
            table.add_row(cn_datetime(c.when, zone), c.author, c.subject)
        if not commits:
            self.query_one("#diff-text", Static).update("还没有修改记录。")
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.commits):
            self.load_diff(self.commits[event.cursor_row])

    @work(thread=True, exclusive=True, group="diff")
    def load_diff(self, commit) -> None:
        text = self.shuping.service.diff(commit.sha, self.path)
        self.app.call_from_thread(self._show_diff, commit, text)

    def _show_diff(self, commit, text: str) -> None:
        header = f"{commit.sha[:8]} · {commit.author} · {cn_datetime(commit.when, self.shuping.service.clock.tz)}\n{commit.subject}\n"
        # the trailers repeat what the header and the diff already say
        body = "\n".join(
            line for line in commit.body.splitlines() if not line.startswith(("Record:", "Records:", "Operator:"))
        ).strip()
        widget = self.query_one("#diff-text", Static)
        text = readable_diff(text)
        content = f"{header}{body}\n\n{text}" if body else f"{header}\n{text}"
        widget.update(Syntax(content, "diff", theme="ansi_dark", word_wrap=True))

    def action_back(self) -> None:
        self.app.pop_screen()
