"""F9 年度设置: the campaign's dates, quota, report, scoring, grading and indicators as a form;
the roster import dialog and the next year's campaign start here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Checkbox, Input, Label, OptionList, ProgressBar, Select, Static, TextArea

from schema.campaign_setup import (
    BANDS,
    DATES,
    SECTIONS,
    CampaignForm,
    format_indicators,
    indicator_summary,
    org_indicators_message,
    parse_indicators,
    save_message,
)
from schema.indicators import reference_indicators
from schema.kinds import Grade
from schema.quota import ROUNDING_LABELS
from schema.records import OrgYear
from schema.validation import check_value
from store.service import Snapshot, StoreError
from tui.dialogs import Dialog
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.history import HistoryScreen

if TYPE_CHECKING:
    from tui.app import ShupingApp


class CampaignScreen(AppScreen):
    SCOPE = "年度设置"
    BINDINGS = register(
        SCOPE,
        [
            Action("campaign.save", "ctrl+s", "save", "保存", "校验并保存年度设置，生成一次提交"),
            Action("campaign.roster", "ctrl+t", "roster", "导入名册", "从 xlsx 导入党支部名册：先预览再确认"),
            Action("campaign.next", "ctrl+n", "next_year", "新年度", "由本年度新建下一年度，结转上年度问题"),
            Action("campaign.switch", "ctrl+o", "switch_year", "切换年度", "打开其他年度（如继续上一年度的整改）；档案的当前年度不变", show=False),
            Action("campaign.reference", "ctrl+l", "reference", "参考指标", "填入默认的附件1参考指标（保存后生效）", show=False),
            Action("campaign.org_indicators", "ctrl+b", "org_indicators", "本单位指标", "某个二级党组织自定的测评指标"),
            Action("campaign.history", "ctrl+g", "history", "历史", "年度设置的修改历史", show=False),
        ],
    )

    def __init__(self) -> None:
        super().__init__()
        self.stored = None  # the campaign record the form was filled from
        self.form: CampaignForm | None = None

    def compose(self) -> ComposeResult:
        form = CampaignForm.of(self.snap.campaign)
        yield from self.title_bar()
        yield Static(id="info", classes="subtitle")
        with VerticalScroll(id="form"):
            yield Static("基本", classes="section")
            yield from self._row("年度", Input(compact=True, id="year", classes="short"))
            yield from self._row("名称", Input(compact=True, id="name"))
            for key, label in DATES:
                yield from self._row(label, Input(compact=True, id=key, placeholder="2020-12-23 或 2020年12月23日"))
            yield self._error("dates")
            yield Static("“好”的名额", classes="section")
            with Horizontal(classes="setup-row"):
                yield Label("比例 %")
                yield Input(compact=True, id="good_max", classes="short")
                yield Label("取整", classes="inline")
                yield Select([(label, r.value) for r, label in ROUNDING_LABELS.items()], id="rounding", allow_blank=False, compact=True)
                yield Label("试算 N", classes="inline")
                yield Input(compact=True, id="quota_n", classes="short")
            yield Static(id="quota-line", classes="line")
            yield self._error("quota")
            yield Static("述职报告", classes="section")
            yield from self._row("报告部分", Input(compact=True, id="sections", placeholder="各部分以“；”分隔"))
            yield from self._row("关键词", Input(compact=True, id="keywords", placeholder="导入时认标题用：每部分一组，以“；”分隔，词间用“/”"))
            with Horizontal(classes="setup-row"):
                yield Label("字数下限")
                yield Input(compact=True, id="min_chars", classes="short")
                yield Label("上限", classes="inline")
                yield Input(compact=True, id="max_chars", classes="short")
            yield self._error("report")
            yield Static("现场测评计分", classes="section")
            with Horizontal(classes="setup-row"):
                yield Label("票值")
                for n, grade in enumerate(Grade):
                    yield Label(grade.value, classes="inline")
                    yield Input(compact=True, id=f"vote-{n}", classes="short")
            with Horizontal(classes="setup-row"):
                yield Label("")
                yield Checkbox("去掉最高最低分（评分人多于 5 人时）", id="trimmed", compact=True)
            with Horizontal(classes="setup-row"):
                yield Label("到会 > %")
                yield Input(compact=True, id="quorum", classes="short")
            yield from self._row("测评组权重", Input(compact=True, id="rater_groups", placeholder="如：委员 60%；其他 40%（留空则不分组）"))
            yield self._error("scoring")
            yield Static("综合评定", classes="section")
            with Horizontal(classes="setup-row"):
                yield Label("权重 %")
                for n, label in enumerate(form.weight_labels()):
                    yield Label(label, classes="inline")
                    yield Input(compact=True, id=f"weight-{n}", classes="short")
            yield Static(id="weights-sum", classes="line")
            with Horizontal(classes="setup-row"):
                yield Label("分数线 ≥")
                for n, grade in enumerate(BANDS):
                    yield Label(grade.value, classes="inline")
                    yield Input(compact=True, id=f"band-{n}", classes="short")
            yield self._error("grading")
            yield Static("参考指标（附件1）：每行 编号 | 组别 | 指标 | 满分", classes="section")
            yield Static(id="indicator-summary", classes="line")
            yield TextArea(id="indicators", soft_wrap=False)
            yield self._error("indicators")
        yield from self.footer()

    @staticmethod
    def _row(label: str, widget) -> ComposeResult:
        with Horizontal(classes="setup-row"):
            yield Label(label)
            yield widget

    @staticmethod
    def _error(section: str) -> Static:
        return Static("", id=f"{section}-error", classes="field-error -empty")

    def on_mount(self) -> None:
        self.load_form()
        self.query_one("#name", Input).focus()

    # ------------------------------------------------------------------ showing

    def load_form(self) -> None:
        self.stored = self.snap.campaigns[self.snap.year]
        self.form = CampaignForm.of(self.stored.record)
        for key, value in self.form.values.items():
            widget = self.query_one(f"#{key}")
            if isinstance(widget, TextArea):
                widget.text = str(value)
            else:
                widget.value = value  # type: ignore[attr-defined]  # Input, Select, Checkbox
        if not self.query_one("#quota_n", Input).value:
            self.query_one("#quota_n", Input).value = str(self.sample_n())
        self.show_info()
        self.show_live()

    def read_widgets(self) -> CampaignForm:
        """The form as it stands in the widgets."""
        assert self.form is not None
        values = {}
        for key in self.form.values:
            widget = self.query_one(f"#{key}")
            values[key] = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        return self.form.with_values(**values)

    def sample_n(self) -> int:
        """The quota is per organisation: try it on the largest one's in-scope count."""
        counts = [c.in_scope for c in self.snap.scope_counts().values()]
        return max(counts, default=7) or 7

    def show_info(self) -> None:
        c = self.stored.record
        counts = self.snap.scope_counts()
        orgs = sum(1 for c_ in counts.values() if c_.branches)
        branches = sum(c_.branches for c_ in counts.values())
        in_scope = sum(c_.in_scope for c_ in counts.values())
        previous = f"{c.previous} 年度" if c.previous else "无"
        current = ""
        if self.snap.past_year:
            current = f"\n[b]正在查看往年：档案的当前年度是 {self.snap.archive_year} 年度（Ctrl+O 切换年度）[/b]"
        elif len(self.snap.campaigns) > 1:
            current = " · Ctrl+O 查看往年"
        self.query_one("#info", Static).update(
            f"{c.year} 年度（上一年度：{previous}）· {orgs} 个二级党组织 · {branches} 个党支部，纳入 {in_scope} 个{current}"
        )

    def show_live(self) -> None:
        """The quota line, the weights' sum and the indicator summary, as the user types."""
        form = self.read_widgets()
        self.query_one("#quota-line", Static).update(form.quota_line(self.query_one("#quota_n", Input).value))
        self.query_one("#weights-sum", Static).update(form.weights_line())
        self.query_one("#indicator-summary", Static).update(form.indicators_line())

    def on_input_changed(self, _: Input.Changed) -> None:
        if self.form:
            self.show_live()

    def on_select_changed(self, _: Select.Changed) -> None:
        if self.form:
            self.show_live()

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        if self.form:
            self.show_live()

    def refresh_data(self) -> None:
        if self.form is None:
            self.load_form()
            return
        current = self.snap.campaigns.get(self.snap.year)
        if current is not self.stored and not self.read_widgets().dirty():
            self.load_form()
        else:
            self.show_info()

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        for section in SECTIONS:
            box = self.query_one(f"#{section}-error", Static)
            box.update("\n".join(errors.get(section, [])))
            box.set_class(not errors.get(section), "-empty")

    # ------------------------------------------------------------------ actions

    def action_save(self) -> None:
        campaign, errors = self.read_widgets().read()
        self.show_errors(errors)
        if campaign is None:
            first = next(m for ms in errors.values() for m in ms)
            self.notify(f"有填写错误，未保存：{first}", severity="error")
            return
        message = save_message(self.stored.record, campaign)
        if not message:
            self.notify("没有修改。")
            return
        self.save_worker(campaign, message)

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, campaign, message: str) -> None:
        try:
            saved = self.shuping.service.campaign.save_settings(campaign, self.stored)
        except StoreError as e:
            if campaign.year != self.stored.record.year:  # a year that cannot change: said where the year is typed
                self.app.call_from_thread(self.show_errors, {"dates": [str(e)]})
            self.app.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return
        self.app.call_from_thread(self._saved, saved, message)

    def _saved(self, saved, message: str) -> None:
        if saved is not None and saved.record.year == self.stored.record.year:
            self.stored = saved
            self.form = CampaignForm.of(saved.record)
        else:
            self.form = None  # another year: the form is filled again from the new snapshot
        self.notify(message, title="已保存并提交")
        self.shuping.take_snapshot()
        self.show_info()

    def action_reference(self) -> None:
        self.query_one("#indicators", TextArea).text = format_indicators(reference_indicators())
        self.notify("已填入默认参考指标，按 Ctrl+S 保存。")

    def action_org_indicators(self) -> None:
        self.app.push_screen(OrgIndicatorsDialog())

    def action_roster(self) -> None:
        self.app.push_screen(RosterImportDialog())

    def action_next_year(self) -> None:
        self.app.push_screen(NewCampaignDialog(self.snap.archive_year or self.snap.year))

    def action_switch_year(self) -> None:
        snap = self.snap
        if len(snap.campaigns) < 2:
            self.notify(f"档案中只有 {snap.year} 年度。", severity="warning")
            return
        self.app.push_screen(YearDialog(sorted(snap.campaigns, reverse=True), snap.year, snap.archive_year),
                             lambda year: year is not None and self.shuping.switch_year(year))

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.stored.path, f"{self.stored.record.year}年度设置"))


# ---------------------------------------------------------------------------- roster import


class PathSuggester(Suggester):
    """Completes the path being typed from the folder's entries (→ accepts): folders and .xlsx files."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        folder, prefix = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(e.name + ("/" if e.is_dir() else "") for e in folder.iterdir()
                           if e.is_dir() or e.suffix.lower() == ".xlsx")
        except OSError:
            return None
        for name in names:
            if name.startswith(prefix) and name != prefix and not name.startswith("."):
                return value + name[len(prefix):]
        return None


class RosterImportDialog(Dialog):
    """Type a path, Enter previews (nothing written), Ctrl+S imports what was previewed."""

    BINDINGS = [("escape", "cancel", "关闭"), ("ctrl+s", "confirm", "确认导入")]
    KEYS_TEXT = "Enter 预览 · Ctrl+S 确认导入 · Esc 关闭"

    def __init__(self) -> None:
        super().__init__("导入党支部名册（xlsx）")
        self._previewed: tuple[str, str] | None = None  # (path, sheet) of a clean preview with changes

    def body(self) -> ComposeResult:
        yield Input(placeholder="文件路径（→ 补全，Enter 预览，不会写入）", id="path", suggester=PathSuggester(),
                    compact=True)
        yield Input(placeholder="工作表名称（可不填：用第一个含表头的工作表）", id="sheet", compact=True)
        yield ProgressBar(id="progress", show_eta=False)
        with VerticalScroll(id="result"):
            yield Static(self._files_hint(), id="result-text")

    @staticmethod
    def _files_hint() -> str:
        found = sorted(p.name for p in Path.cwd().glob("*.xlsx"))[:8]
        hint = f"当前文件夹（{Path.cwd()}）中的 xlsx：{'、'.join(found)}" if found else ""
        return "先预览：列出将新增、更新、撤销的组织和党支部，或每一处错误（工作表!行号 列名: 说明）。\n" + hint

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def _target(self) -> tuple[str, str]:
        return self.query_one("#path", Input).value.strip(), self.query_one("#sheet", Input).value.strip()

    def on_input_changed(self, _: Input.Changed) -> None:
        self._previewed = None

    def on_input_submitted(self, _: Input.Submitted) -> None:
        path, sheet = self._target()
        if not path:
            self._show("请填写名册文件的路径。")
            return
        self._show("正在读取和检查……")
        self.run_import(path, sheet, dry_run=True)

    def action_confirm(self) -> None:
        target = self._target()
        if self._previewed != target:
            self.notify("请先按 Enter 预览，确认无误后再按 Ctrl+S 导入。", severity="warning")
            return
        self._show("正在导入……")
        self.run_import(*target, dry_run=False)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def _show(self, text: str) -> None:
        self.query_one("#result-text", Static).update(text)

    def _progress(self, done: int, total: int, _stage: str) -> None:
        self.app.call_from_thread(self.query_one("#progress", ProgressBar).update, total=max(total, 1), progress=done)

    @work(thread=True, exclusive=True, group="roster")
    def run_import(self, path: str, sheet: str, dry_run: bool) -> None:
        app: ShupingApp = self.app  # type: ignore[assignment]
        try:
            plan = app.service.campaign.import_roster(path, sheet or None, dry_run=dry_run, progress=self._progress)
        except StoreError as e:
            app.call_from_thread(self._show, f"[b]无法导入：[/b]{_escape(str(e))}")
            return
        if not dry_run:
            app.take_snapshot()
        app.call_from_thread(self._done, (path, sheet), plan, dry_run)

    def _done(self, target, plan, dry_run: bool) -> None:
        if plan.problems:
            lines = [str(p) for p in plan.problems]
            self._show(f"[b]有 {len(lines)} 处错误，未做任何修改：[/b]\n" + "\n".join(_escape(x) for x in lines))
            return
        if plan.empty:
            self._show(f"名册与档案一致，没有变化（{len(plan.roster.rows)} 行）。")
            return
        details = "\n".join(_escape(x) for x in plan.details[:200])
        more = f"\n……另有 {len(plan.details) - 200} 项" if len(plan.details) > 200 else ""
        if dry_run:
            self._previewed = target
            warning = f"\n[b]{plan.warning()}[/b]" if plan.warning() else ""
            self._show(f"[b]将{plan.summary()}[/b]（按 Ctrl+S 确认导入）{warning}\n{details}{more}")
            return
        self.app.notify(plan.subject(), title="已导入并提交")
        self.dismiss(True)


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


# ---------------------------------------------------------------------------- one organisation's indicators


class OrgIndicatorsDialog(Dialog):
    """A secondary organisation's own indicator set for this campaign (in its org-year record)."""

    BINDINGS = [("escape", "cancel", "关闭"), ("ctrl+s", "save", "保存"), ("ctrl+l", "copy", "复制全校指标")]
    KEYS_TEXT = "Ctrl+S 保存（清空则用全校参考指标）· Ctrl+L 复制全校指标 · Esc 关闭"

    def __init__(self) -> None:
        super().__init__("本单位测评指标")
        self.org_id: str | None = None
        self.saved_indicators: list = []  # what the organisation has saved: “没有修改” is judged against it

    @property
    def snap(self) -> Snapshot:
        return self.app.snapshot  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        self.title_text = f"本单位测评指标（{self.snap.year}年度）：每行 编号 | 组别 | 指标 | 满分"
        yield from super().compose()

    def body(self) -> ComposeResult:
        yield Select([(o.name, o.id) for o in self.snap.sorted_orgs()], prompt="选择二级党组织", id="org", compact=True)
        yield Static("", id="state", classes="status")
        yield TextArea(id="org-indicators", soft_wrap=False)
        yield Static("", id="error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#org", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        self.show_org(str(event.value))

    def show_org(self, org_id: str) -> None:
        stored = self.snap.org_year(org_id)
        broken = [str(p) for p in self.snap.problems if p.file == stored.path]
        if broken:  # saved but unreadable: not to be overwritten from here
            self.org_id = None
            self.query_one("#error", Static).update("；".join(broken))
            return
        self.org_id = org_id
        self._show(stored.record)

    def _show(self, org_year: OrgYear) -> None:
        own = org_year.indicators
        self.saved_indicators = own
        self.query_one("#org-indicators", TextArea).text = format_indicators(own)
        self.query_one("#state", Static).update(
            f"本单位自定：{indicator_summary(own)}" if own else "未自定，使用全校参考指标（可按 Ctrl+L 复制后修改）")
        self.query_one("#error", Static).update("")

    def action_copy(self) -> None:
        self.query_one("#org-indicators", TextArea).text = format_indicators(self.snap.campaign.indicators)

    def action_save(self) -> None:
        if self.org_id is None:
            self.query_one("#error", Static).update("请先选择二级党组织。")
            return
        indicators, problems = parse_indicators(self.query_one("#org-indicators", TextArea).text)
        if not problems:
            org_year = self.snap.org_year(self.org_id).record
            problems = [p.message for p in check_value(OrgYear, {
                **org_year.model_dump(mode="python"), "indicators": [i.model_dump() for i in indicators]})]
        if problems:
            self.query_one("#error", Static).update("\n".join(problems))
            return
        if indicators == self.saved_indicators:
            self.notify("没有修改。")
            return
        org_name = self.snap.orgs[self.org_id].record.name
        self.save_worker(self.org_id, indicators, org_indicators_message(org_name, self.snap.year, indicators))

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, org_id: str, indicators: list, message: str) -> None:
        app: ShupingApp = self.app  # type: ignore[assignment]
        saved = app.apply(app.service.campaign.save_org_indicators, org_id, indicators, saved=message)
        if saved is not None:
            app.call_from_thread(self._show, saved.record)


# ---------------------------------------------------------------------------- next year


class NewCampaignDialog(Dialog):
    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "确定")]
    KEYS_TEXT = "Ctrl+S 确定 · Esc 取消"

    def __init__(self, year: int):
        super().__init__(f"新建{year + 1}年度")
        self.year = year

    def body(self) -> ComposeResult:
        year, new = self.year, self.year + 1
        yield Static(  # no spaces around the years: the text wraps at spaces, which left ragged lines
            f"沿用{year}年度的全部设置，日期顺延一年；为{new}年度纳入范围的每个党支部建立记录，"
            f"并结转{year}年度述职点评、整改任务（含已完成的）和“一般/差”评定原因中指出的问题，"
            f"供述职报告第四部分逐条回应。当前年度将切换为{new}年度，一次提交。",
            id="explain", classes="dialog-text",
        )
        yield Static("", id="error", classes="error")

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.query_one("#explain", Static).update("正在新建……")
        self.create()

    @work(thread=True, exclusive=True, group="campaign")
    def create(self) -> None:
        app: ShupingApp = self.app  # type: ignore[assignment]
        try:
            result = app.service.campaign.new_year(self.year + 1)
        except StoreError as e:
            app.call_from_thread(self.query_one("#error", Static).update, str(e))
            return
        app.take_snapshot()
        app.call_from_thread(self._done, result.subject)

    def _done(self, subject: str) -> None:
        self.app.notify(subject, title="已新建并提交")
        self.app.year = None  # type: ignore[attr-defined]  # the new current year is open
        self.dismiss(True)


class YearDialog(Dialog):
    """Which campaign to open: the current one, or a past year to look back at or finish."""

    KEYS_TEXT = "Enter 打开 · Esc 取消"

    def __init__(self, years: list[int], open_year: int, current: int):
        super().__init__("切换年度")
        self.years, self.open_year, self.current = years, open_year, current

    def body(self) -> ComposeResult:
        labels = [f"{y}年度" + ("（当前年度）" if y == self.current else "") + (" ← 正在查看" if y == self.open_year else "")
                  for y in self.years]
        yield OptionList(*labels, id="years")
        yield Static("往年的记录照常可以修改（如整改销号），每次修改都提交；档案的当前年度不变。", classes="dialog-text")

    def on_mount(self) -> None:
        years = self.query_one("#years", OptionList)
        years.highlighted = self.years.index(self.open_year) if self.open_year in self.years else 0
        years.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.years[event.option_index])


__all__ = ["CampaignScreen", "NewCampaignDialog", "OrgIndicatorsDialog", "RosterImportDialog", "YearDialog"]
