"""Records that could not be read, with where and why, and the files recovery moved aside; the
rest of the app still works."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from tui.keys import Action, register
from tui.screens.base import AppScreen

MIN_MESSAGE = 20  # the 说明 column never gets narrower: below it the table scrolls sideways


def wrapped(text: str, width: int) -> list[Text]:
    """``text``'s lines folded to ``width`` cells (a path or a message is never cut)."""
    return list(Text(text).wrap(Console(width=width), width)) if text else [Text("")]


class ProblemsScreen(AppScreen):
    SCOPE = "记录错误"
    BINDINGS = register(
        SCOPE,
        [Action("problems.reload", "r", "app.reload", "重读", "修改文件后重新读取档案")],
    )

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="summary", classes="subtitle")
        yield DataTable(id="problems", cursor_type="row")
        yield from self.footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        self.refresh_data()

    def widths(self) -> list[int]:
        """文件, 行, 键 as wide as their longest (the file at most half the window), 说明 what is left
        (at least MIN_MESSAGE, below which the table scrolls sideways); every cell wraps to its width."""
        problems = [*self.snap.problems, *self.snap.aside]
        room = self.app.size.width - 4 * 2 - 4
        longest = [max([cell_len(h), *(cell_len(str(v)) for v in values)])
                   for h, values in (("文件", [p.file for p in problems]), ("行", [p.line or "" for p in problems]),
                                     ("键", [p.key for p in problems]))]
        longest[0] = min(longest[0], max(12, room // 2))
        longest[2] = min(longest[2], max(6, room // 5))
        return [*longest, max(MIN_MESSAGE, room - sum(longest))]

    def refresh_data(self) -> None:
        problems, aside = self.snap.problems, self.snap.aside
        table = self.query_one("#problems", DataTable)
        table.clear(columns=True)
        widths = self.widths()
        for label, width in zip(("文件", "行", "键", "说明"), widths):
            table.add_column(label, key=label, width=width)
        for p in [*problems, *aside]:
            cells = (p.file, p.line or "", p.key, p.message)  # the table wraps them in rows this high
            table.add_row(*cells, height=max(len(wrapped(str(v), w)) for v, w in zip(cells, widths)))
        summary = (f"{len(problems)} 处错误：这些记录未能读取，修正文件后按 r 重读（或运行 shuping check）。"
                   if problems else "所有记录都已正常读取。")
        if aside:
            summary += f"另有 {len(aside)} 个文件是上次中断时留下、未能提交的修改，已移到一旁（未提交、未丢失），请核对后处理。"
        self.query_one("#summary", Static).update(summary)
