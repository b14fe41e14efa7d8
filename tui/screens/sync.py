"""Sync with the central archive, with progress; conflicting fields side by side to choose."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, RichLog, Static

from store.service import StoreError
from tui.dialogs import PromptDialog, required
from tui.keys import Action, register
from tui.screens.base import AppScreen

SIDE = {"ours": "本地", "theirs": "远程"}  # the sides a conflict is settled to (service.sync.OURS / THEIRS)
KEY_LABELS = {  # record keys people know by another name; others are shown as they are
    "secretary": "支部书记", "members": "党员人数", "name": "名称", "kind": "类型", "founded": "成立日期",
    "code": "支部编码", "last_election": "上次换届", "committee_size": "支委人数", "dissolved": "撤销日期",
    "scope_exception": "范围例外", "facts": "支部数据", "report": "述职报告", "meeting": "评议会", "tally": "测评结果",
    "components": "评定分项", "grade": "等次", "feedback": "反馈", "interview": "约谈", "tasks": "整改任务",
    "final": "最终等次", "suggested": "建议等次", "reason": "理由", "status": "状态", "comment": "点评",
}


def shown(value, width: int = 30) -> str:
    if value is None:
        return "（无）"
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def field_name(key: tuple[str, ...]) -> str:
    return "．".join(KEY_LABELS.get(k, k) for k in key) or "整个文件"


class SyncScreen(AppScreen):
    SCOPE = "同步"
    BINDINGS = register(
        SCOPE,
        [
            Action("sync.ours", "1", "keep('ours')", "保留本地", "所选冲突保留本地的值"),
            Action("sync.theirs", "2", "keep('theirs')", "保留远程", "所选冲突保留远程的值"),
            Action("sync.apply", "ctrl+s", "apply", "提交选择", "按所选合并并提交（一次提交），再推送"),
            Action("sync.back", "escape", "back", "返回", "返回上一界面（冲突未解决时本地修改保持不变）"),
        ],
    )

    def __init__(self) -> None:
        super().__init__()
        self.result = None  # the last sync's outcome: what it did, or the conflicts to settle
        self.choices: dict[tuple[str, tuple[str, ...]], str] = {}
        self.rows: list[tuple[str, object]] = []  # (path, FieldConflict) per table row
        self.busy = False

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield RichLog(id="progress", auto_scroll=True, wrap=True)  # a long reason wraps, not cut
        yield Static(id="summary", classes="subtitle")
        yield DataTable(id="conflicts", cursor_type="row")
        with Horizontal(id="sides"):
            with VerticalScroll():
                yield Static(id="ours")
            with VerticalScroll():
                yield Static(id="theirs")
        yield from self.footer()

    def on_mount(self) -> None:
        self.query_one("#conflicts", DataTable).add_columns("记录", "字段", "本地", "远程", "保留")
        self._fill()
        self.again()

    # ------------------------------------------------------------------ work

    def say(self, line: str) -> None:
        self.app.call_from_thread(self.query_one("#progress", RichLog).write, line)

    def again(self) -> None:
        """Fetch, merge and push (again): what Ctrl+Y (the app's sync key) does on this screen."""
        if not self.busy:
            self.busy = True
            self.run_sync()

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self) -> None:
        app = self.shuping
        remote = app.service.sync.remote()
        if remote is None:
            app.call_from_thread(self._ask_remote)
            return
        self.say(f"远程档案：{remote}")
        try:
            result = app.service.sync.run(progress=self.say)
        except StoreError as e:
            app.call_from_thread(self._failed, str(e))
            return
        app.take_snapshot()
        app.call_from_thread(self._done, result)

    @work(thread=True, exclusive=True, group="sync")
    def run_resolve(self, result, choices: dict) -> None:
        app = self.shuping
        try:
            done = app.service.sync.resolve(result, choices, progress=self.say)
        except StoreError as e:
            app.call_from_thread(self._failed, str(e))
            return
        app.take_snapshot()
        app.call_from_thread(self._done, done)

    def _ask_remote(self) -> None:
        """No central archive yet: ask where it is (kept for every later sync), then sync."""
        self.query_one("#summary", Static).update("尚未设置远程档案（中心档案）。")

        def chosen(url: str | None) -> None:
            if url is None:
                self.busy = False
                self.query_one("#summary", Static).update("尚未设置远程档案：按 Ctrl+Y 再次设置并同步，或在命令行用 shuping sync --remote 地址。")
                return
            self.set_remote_and_sync(url)

        self.app.push_screen(PromptDialog(
            "设置远程档案",
            "本档案还没有远程档案（组织部的中心档案）。请输入它的地址：共享文件夹中裸仓库的路径，"
            "或 ssh://服务器/路径。以后每次同步都用这个地址。",
            placeholder="如 /srv/shuping/central.git 或 ssh://server/shuping.git", validate=required("远程档案地址")), chosen)

    @work(thread=True, exclusive=True, group="sync")
    def set_remote_and_sync(self, url: str) -> None:
        app = self.shuping
        try:
            app.service.sync.set_remote(url)
        except StoreError as e:
            app.call_from_thread(self._failed, str(e))
            return
        self.busy = False
        app.call_from_thread(self.again)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#progress", RichLog).write(f"失败：{message}")
        self.query_one("#summary", Static).update(f"{message}  按 Ctrl+Y 重试。")
        self.notify(message, title="同步失败", severity="error", timeout=12)

    def _done(self, result) -> None:
        self.busy = False
        self.result = result
        self.choices = {}
        self.query_one("#summary", Static).update(
            result.summary() + ("  选择每处保留哪一方（1 本地 / 2 远程），Ctrl+S 提交。" if result.conflicts else "")
        )
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = []
        for conflict in self.result.conflicts if self.result else []:
            for f in conflict.fields:
                choice = self.choices.get((conflict.path, f.key))
                table.add_row(self.record_name(conflict.path), field_name(f.key), shown(f.ours, 14),
                              shown(f.theirs, 14), SIDE.get(choice, "未选"))
                self.rows.append((conflict.path, f))
        if self.rows:
            table.move_cursor(row=min(row or 0, len(self.rows) - 1))
            table.focus()
        table.display = self.query_one("#sides").display = bool(self.rows)  # nothing to choose: no empty panes
        self.refresh_bindings()
        self._show_sides()

    def record_name(self, path: str) -> str:
        """The branch's name for its records; the path for anything else."""
        return shown(self.shuping.service.sync.record_name(path) or path.removeprefix("orgs/"), 24)

    def _show_sides(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        if not self.rows:
            self.query_one("#ours", Static).update("")
            self.query_one("#theirs", Static).update("")
            return
        path, f = self.rows[table.cursor_row]
        where = field_name(f.key)
        self.query_one("#ours", Static).update(f"本地（1）· {where}：\n{'（无）' if f.ours is None else f.ours}")
        self.query_one("#theirs", Static).update(f"远程（2）· {where}：\n{'（无）' if f.theirs is None else f.theirs}")

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_sides()

    # ------------------------------------------------------------------ choosing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Choosing keys only while there are conflicts to choose for (else hidden from the footer)."""
        if action in ("keep", "apply"):
            return bool(self.rows)
        return True

    def action_keep(self, side: str) -> None:
        if not self.rows or self.busy:
            return
        table = self.query_one("#conflicts", DataTable)
        path, f = self.rows[table.cursor_row]
        self.choices[(path, f.key)] = side
        self._fill()
        if table.cursor_row < len(self.rows) - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_apply(self) -> None:
        if not self.result or not self.result.conflicts or self.busy:
            return
        left = len(self.rows) - len(self.choices)
        if left:
            self.notify(f"还有 {left} 处冲突未选择。", severity="warning")
            return
        self.busy = True
        self.run_resolve(self.result, dict(self.choices))

    def action_back(self) -> None:
        if self.busy:
            self.notify("正在同步，请稍候。", severity="warning")
            return
        self.app.pop_screen()
