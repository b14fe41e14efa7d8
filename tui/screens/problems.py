"""Records that could not be read, with where and why, and the files recovery moved aside; the
rest of the app still works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from tui.keys import Action, register
from tui.screens.base import AppScreen


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
        self.query_one("#problems", DataTable).add_columns("文件", "行", "键", "说明")
        self.refresh_data()

    def refresh_data(self) -> None:
        problems, aside = self.snap.problems, self.snap.aside
        table = self.query_one("#problems", DataTable)
        table.clear()
        for p in [*problems, *aside]:
            table.add_row(p.file, p.line or "", p.key, p.message)
        summary = (f"{len(problems)} 处错误：这些记录未能读取，修正文件后按 r 重读（或运行 shuping check）。"
                   if problems else "所有记录都已正常读取。")
        if aside:
            summary += f"另有 {len(aside)} 个文件是上次中断时留下、未能提交的修改，已移到一旁（未提交、未丢失），请核对后处理。"
        self.query_one("#summary", Static).update(summary)
