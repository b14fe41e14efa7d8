"""F9 年度设置: the campaign's dates, quota, report, scoring, grading and indicators as a form;
the roster import dialog and the next year's campaign start here."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Checkbox, Input, Label, ProgressBar, Select, Static, TextArea

from schema.campaign_setup import (
    FieldError,
    describe_changes,
    format_indicators,
    format_percent,
    format_rater_groups,
    indicator_summary,
    parse_indicators,
    parse_list,
    parse_number,
    parse_percent,
    parse_rater_groups,
)
from schema.dates import parse_date
from schema.indicators import reference_indicators
from schema.kinds import Grade
from schema.quota import ROUNDING_LABELS, good_cap_text
from schema.records import COMPONENT_LABELS, Campaign
from schema.validation import check_value
from tui.keys import Action, register
from tui.screens.base import AppScreen

DATES = [("notice_date", "通知日期"), ("report_deadline", "报送截止"), ("completion_deadline", "完成期限")]
BANDS = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE]
# which error line a record key's problems show on
SECTION_OF = {"title": "dates", "notice_date": "dates", "report_deadline": "dates", "completion_deadline": "dates",
              "": "dates", "quota": "quota", "report": "report", "scoring": "scoring", "grading": "grading",
              "indicators": "indicators"}
SECTIONS = ("dates", "quota", "report", "scoring", "grading", "indicators")


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
    DEFAULT_CSS = """
    CampaignScreen .section { text-style: bold; color: $accent; padding: 1 1 0 1; height: auto; }
    CampaignScreen .line { padding: 0 1 0 13; height: auto; color: $text-muted; }
    CampaignScreen .field-error { padding: 0 1 0 13; }
    CampaignScreen .setup-row { height: 1; margin: 0 1 0 0; }
    CampaignScreen .setup-row Label { width: 12; padding: 0 1 0 0; text-align: right; }
    CampaignScreen .setup-row Input { width: 1fr; }
    CampaignScreen .setup-row Input.short { width: 6; }
    CampaignScreen .setup-row Label.inline { width: auto; padding: 0 1; text-align: left; }
    CampaignScreen #rounding { width: 14; }
    CampaignScreen #trimmed { width: auto; }
    CampaignScreen #indicators { height: 10; margin: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.stored = None
        self._discard_armed = False

    def compose(self) -> ComposeResult:
        campaign = self.snap.campaign
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
                for n, key in enumerate(campaign.grading.weights):
                    yield Label(COMPONENT_LABELS[key], classes="inline")
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
        c = self.stored.record
        self.query_one("#year", Input).value = str(c.year)
        self.query_one("#name", Input).value = c.title
        for key, _ in DATES:
            self.query_one(f"#{key}", Input).value = getattr(c, key).isoformat()
        self.query_one("#good_max", Input).value = format_percent(c.quota.good_max)
        self.query_one("#rounding", Select).value = c.quota.rounding.value
        if not self.query_one("#quota_n", Input).value:
            self.query_one("#quota_n", Input).value = str(self.sample_n())
        self.query_one("#sections", Input).value = "；".join(c.report.sections)
        self.query_one("#min_chars", Input).value = str(c.report.min_chars)
        self.query_one("#max_chars", Input).value = str(c.report.max_chars)
        for n, grade in enumerate(Grade):
            self.query_one(f"#vote-{n}", Input).value = f"{c.scoring.vote_values.get(grade, 0):g}"
        self.query_one("#trimmed", Checkbox).value = c.scoring.trimmed_mean
        self.query_one("#quorum", Input).value = format_percent(c.scoring.quorum)
        self.query_one("#rater_groups", Input).value = format_rater_groups(c.scoring.rater_groups)
        for n, value in enumerate(c.grading.weights.values()):
            self.query_one(f"#weight-{n}", Input).value = f"{value:g}"
        for n, grade in enumerate(BANDS):
            self.query_one(f"#band-{n}", Input).value = f"{c.grading.bands.get(grade, 0):g}"
        self.query_one("#indicators", TextArea).text = format_indicators(c.indicators)
        self.show_info()
        self.show_live()

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
        line = self.query_one("#quota-line", Static)
        try:
            fraction = parse_percent(self.query_one("#good_max", Input).value, "比例")
            n = int(parse_number(self.query_one("#quota_n", Input).value, "试算 N "))
            line.update(good_cap_text(n, fraction, self.query_one("#rounding", Select).value))
        except (FieldError, ValueError) as e:
            line.update(str(e))
        try:
            total = sum(parse_number(self.query_one(f"#weight-{n}", Input).value)
                        for n in range(len(self.stored.record.grading.weights)))
            self.query_one("#weights-sum", Static).update(
                f"合计 {total:g}%" + ("" if abs(total - 100) < 1e-6 else "（应为 100%）"))
        except FieldError:
            self.query_one("#weights-sum", Static).update("合计：有不是数字的权重")
        indicators, problems = parse_indicators(self.query_one("#indicators", TextArea).text)
        self.query_one("#indicator-summary", Static).update(
            indicator_summary(indicators) + (f" · {len(problems)} 行有误" if problems else ""))

    def on_input_changed(self, _: Input.Changed) -> None:
        self._discard_armed = False
        if self.stored:
            self.show_live()

    def on_select_changed(self, _: Select.Changed) -> None:
        if self.stored:
            self.show_live()

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        if self.stored:
            self.show_live()

    def refresh_data(self) -> None:
        if self.stored is None:
            self.load_form()
            return
        current = self.snap.campaigns.get(self.snap.year)
        if current is not self.stored and not self.dirty():
            self.load_form()
        else:
            self.show_info()

    # ------------------------------------------------------------------ reading the form

    def read_form(self) -> tuple[Campaign | None, dict[str, list[str]]]:
        """The campaign the form describes, or None and every problem by section."""
        errors: dict[str, list[str]] = {s: [] for s in SECTIONS}
        old = self.stored.record
        data = old.model_dump(mode="python")

        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        def attempt(section: str, fn):
            try:
                return fn()
            except FieldError as e:
                errors[section].append(str(e))
                return None

        data["year"] = attempt("dates", lambda: _whole(value("year"), "年度"))
        data["title"] = value("name").strip()
        for key, label in DATES:
            parsed = attempt("dates", lambda k=key, lab=label: _date(value(k), lab))
            if parsed:
                data[key] = parsed
        data["quota"] = {
            "good_max": attempt("quota", lambda: parse_percent(value("good_max"), "“好”的比例")),
            "rounding": self.query_one("#rounding", Select).value,
        }
        data["report"] = {
            "sections": parse_list(value("sections")),
            "min_chars": attempt("report", lambda: _whole(value("min_chars"), "字数下限")),
            "max_chars": attempt("report", lambda: _whole(value("max_chars"), "字数上限")),
        }
        data["scoring"] = {
            "vote_values": {g: attempt("scoring", lambda n=n, g=g: parse_number(value(f"vote-{n}"), f"“{g.value}”的票值"))
                            for n, g in enumerate(Grade)},
            "trimmed_mean": self.query_one("#trimmed", Checkbox).value,
            "rater_groups": attempt("scoring", lambda: [g.model_dump() for g in parse_rater_groups(value("rater_groups"))]),
            "quorum": attempt("scoring", lambda: parse_percent(value("quorum"), "到会比例")),
        }
        data["grading"] = {
            **data["grading"],  # what the form does not show (tie_break) is kept
            "weights": {key: attempt("grading", lambda n=n, key=key: parse_number(value(f"weight-{n}"),
                                                                                   f"{COMPONENT_LABELS[key]}的权重"))
                        for n, key in enumerate(old.grading.weights)},
            "bands": {g: attempt("grading", lambda n=n, g=g: parse_number(value(f"band-{n}"), f"“{g.value}”的分数线"))
                      for n, g in enumerate(BANDS)},
        }
        indicators, problems = parse_indicators(self.query_one("#indicators", TextArea).text)
        errors["indicators"].extend(problems)
        data["indicators"] = [i.model_dump() for i in indicators]
        if any(errors.values()):
            return None, errors
        for problem in check_value(Campaign, data):
            errors[SECTION_OF.get(problem.key.split(".")[0], "dates")].append(problem.message)
        if any(errors.values()):
            return None, errors
        return Campaign.model_validate(data), errors

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        for section in SECTIONS:
            box = self.query_one(f"#{section}-error", Static)
            box.update("\n".join(errors.get(section, [])))
            box.set_class(not errors.get(section), "-empty")

    def dirty(self) -> bool:
        campaign, _ = self.read_form()
        return campaign != self.stored.record

    # ------------------------------------------------------------------ actions

    def action_save(self) -> None:
        campaign, errors = self.read_form()
        self.show_errors(errors)
        if campaign is None:
            first = next(m for ms in errors.values() for m in ms)
            self.notify(f"有填写错误，未保存：{first}", severity="error")
            return
        changes = describe_changes(self.stored.record, campaign)
        if not changes:
            self.notify("没有修改。")
            return
        message = f"修改年度设置：{self.stored.record.year}年度（{changes}）"
        if campaign.year != self.stored.record.year:
            self.year_worker(campaign, message)
        else:
            self.save_worker(campaign, message)

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, campaign: Campaign, message: str) -> None:
        saved = self.shuping.save(self.stored, campaign, message)
        if saved is not None:
            self.app.call_from_thread(self._saved, saved)

    @work(thread=True, exclusive=True, group="save")
    def year_worker(self, campaign: Campaign, message: str) -> None:
        from store.campaigns import change_year
        from store.errors import StoreError

        try:
            change_year(self.shuping.archive, self.stored, campaign, message)
        except StoreError as e:
            self.app.call_from_thread(self.show_errors, {"dates": [str(e)]})
            self.app.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return
        self.app.call_from_thread(self._year_changed, message)

    def _year_changed(self, message: str) -> None:
        self.stored = None  # the form reloads from the new year's record
        self.notify(message, title="已保存并提交")
        self.shuping.reload()

    def _saved(self, saved) -> None:
        self.stored = saved
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
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.stored.path, f"{self.stored.record.year}年度设置"))


def _date(text: str, label: str):
    try:
        parsed = parse_date(text)
    except ValueError as e:
        raise FieldError(f"{label}：{e}") from None
    if parsed is None:
        raise FieldError(f"{label}不能为空")
    return parsed


def _whole(text: str, what: str) -> int:
    number = parse_number(text, what)
    if number != int(number) or number < 0:
        raise FieldError(f"{what}应为不小于 0 的整数")
    return int(number)


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


class RosterImportDialog(ModalScreen[bool]):
    """Type a path, Enter previews (nothing written), Ctrl+S imports what was previewed."""

    BINDINGS = [("escape", "cancel", "关闭"), ("ctrl+s", "confirm", "确认导入")]
    DEFAULT_CSS = """
    RosterImportDialog { align: center middle; }
    RosterImportDialog #dialog { width: 78; height: 22; border: thick $accent; background: $panel; padding: 0 1; }
    RosterImportDialog #result { height: 1fr; }
    RosterImportDialog ProgressBar { height: 1; margin: 1 0 0 0; }
    RosterImportDialog Input { margin: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._previewed: tuple[str, str] | None = None  # (path, sheet) of a clean preview with changes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("导入党支部名册（xlsx）", classes="title")
            yield Input(placeholder="文件路径（→ 补全，Enter 预览，不会写入）", id="path", suggester=PathSuggester(),
                        compact=True)
            yield Input(placeholder="工作表名称（可不填：用第一个含表头的工作表）", id="sheet", compact=True)
            yield ProgressBar(id="progress", show_eta=False)
            with VerticalScroll(id="result"):
                yield Static(self._files_hint(), id="result-text")
            yield Static("Enter 预览 · Ctrl+S 确认导入 · Esc 关闭", classes="status")

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
        from store.errors import StoreError
        from store.roster import RosterError, import_roster

        app = self.app
        try:
            plan = import_roster(app.archive, Path(path).expanduser(), sheet or None, today=app.today(),
                                 dry_run=dry_run, progress=self._progress)
        except RosterError as e:
            lines = [str(p) for p in e.problems]
            app.call_from_thread(self._show, f"[b]有 {len(lines)} 处错误，未做任何修改：[/b]\n" + "\n".join(_escape(x) for x in lines))
            return
        except StoreError as e:
            app.call_from_thread(self._show, f"[b]无法导入：[/b]{_escape(str(e))}")
            return
        app.call_from_thread(self._done, (path, sheet), plan, dry_run)

    def _done(self, target, plan, dry_run: bool) -> None:
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
        self.app.reload()  # type: ignore[attr-defined]
        self.dismiss(True)


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


# ---------------------------------------------------------------------------- one organisation's indicators


class OrgIndicatorsDialog(ModalScreen[None]):
    """A secondary organisation's own indicator set for this campaign (in its org-year record)."""

    BINDINGS = [("escape", "cancel", "关闭"), ("ctrl+s", "save", "保存"), ("ctrl+l", "copy", "复制全校指标")]
    DEFAULT_CSS = """
    OrgIndicatorsDialog { align: center middle; }
    OrgIndicatorsDialog #dialog { width: 78; height: 22; border: thick $accent; background: $panel; padding: 0 1; }
    OrgIndicatorsDialog TextArea { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.stored = None

    def compose(self) -> ComposeResult:
        snap = self.app.snapshot  # type: ignore[attr-defined]
        with Vertical(id="dialog"):
            yield Static(f"本单位测评指标（{snap.year}年度）：每行 编号 | 组别 | 指标 | 满分", classes="title")
            yield Select([(o.name, o.id) for o in snap.sorted_orgs()], prompt="选择二级党组织", id="org", compact=True)
            yield Static("", id="state", classes="status")
            yield TextArea(id="org-indicators", soft_wrap=False)
            yield Static("", id="error", classes="error")
            yield Static("Ctrl+S 保存（清空则用全校参考指标）· Ctrl+L 复制全校指标 · Esc 关闭", classes="status")

    def on_mount(self) -> None:
        self.query_one("#org", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        self.load_org(str(event.value))

    @work(thread=True, exclusive=True, group="org-indicators")
    def load_org(self, org_id: str) -> None:
        from schema.records import OrgYear
        from store import layout
        from store.archive import Stored

        app = self.app
        year = app.snapshot.year  # type: ignore[attr-defined]
        path = layout.org_year_path(org_id, year)
        stored, problems = app.archive.try_read(OrgYear, path)  # type: ignore[attr-defined]
        if stored is None and app.archive.read_bytes(path)[0] is not None:  # type: ignore[attr-defined]
            app.call_from_thread(self.query_one("#error", Static).update, "；".join(str(p) for p in problems))
            return
        stored = stored or Stored(OrgYear(org=org_id, year=year), path, None)
        app.call_from_thread(self._show, stored)

    def _show(self, stored) -> None:
        self.stored = stored
        own = stored.record.indicators
        self.query_one("#org-indicators", TextArea).text = format_indicators(own)
        self.query_one("#state", Static).update(
            f"本单位自定：{indicator_summary(own)}" if own else "未自定，使用全校参考指标（可按 Ctrl+L 复制后修改）")
        self.query_one("#error", Static).update("")

    def action_copy(self) -> None:
        campaign = self.app.snapshot.campaign  # type: ignore[attr-defined]
        self.query_one("#org-indicators", TextArea).text = format_indicators(campaign.indicators)

    def action_save(self) -> None:
        if self.stored is None:
            self.query_one("#error", Static).update("请先选择二级党组织。")
            return
        indicators, problems = parse_indicators(self.query_one("#org-indicators", TextArea).text)
        if not problems:
            problems = [p.message for p in check_value(type(self.stored.record), {
                **self.stored.record.model_dump(mode="python"), "indicators": [i.model_dump() for i in indicators]})]
        if problems:
            self.query_one("#error", Static).update("\n".join(problems))
            return
        if indicators == self.stored.record.indicators:
            self.notify("没有修改。")
            return
        org = self.app.snapshot.orgs[self.stored.record.org].record.name  # type: ignore[attr-defined]
        what = indicator_summary(indicators) if indicators else "改回使用全校参考指标"
        record = self.stored.record.model_copy(update={"indicators": indicators})
        self.save_worker(record, f"本单位测评指标：{org} {record.year}年度（{what}）")

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, record, message: str) -> None:
        saved = self.app.save(self.stored, record, message)  # type: ignore[attr-defined]
        if saved is not None:
            self.app.call_from_thread(self._show, saved)

    def action_cancel(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------------- next year


class NewCampaignDialog(ModalScreen[bool]):
    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "确定")]
    DEFAULT_CSS = """
    NewCampaignDialog { align: center middle; }
    NewCampaignDialog #dialog { width: 70; height: auto; border: thick $accent; background: $panel; padding: 1 2; }
    """

    def __init__(self, year: int):
        super().__init__()
        self.year = year

    def compose(self) -> ComposeResult:
        year, new = self.year, self.year + 1
        with Vertical(id="dialog"):
            yield Static(f"新建{new}年度", classes="title")
            yield Static(  # no spaces around the years: the text wraps at spaces, which left ragged lines
                f"沿用{year}年度的全部设置，日期顺延一年；为{new}年度纳入范围的每个党支部建立记录，"
                f"并结转{year}年度述职点评、整改任务（含已完成的）和“一般/差”评定原因中指出的问题，"
                f"供述职报告第四部分逐条回应。当前年度将切换为{new}年度，一次提交。",
                id="explain",
            )
            yield Static("", id="error", classes="error")
            yield Static("Ctrl+S 确定 · Esc 取消", classes="status")

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.query_one("#explain", Static).update("正在新建……")
        self.create()

    @work(thread=True, exclusive=True, group="campaign")
    def create(self) -> None:
        from store.campaigns import new_campaign
        from store.errors import StoreError

        try:
            result = new_campaign(self.app.archive, self.year + 1)  # type: ignore[attr-defined]
        except StoreError as e:
            self.app.call_from_thread(self.query_one("#error", Static).update, str(e))
            return
        self.app.call_from_thread(self._done, result.subject)

    def _done(self, subject: str) -> None:
        self.app.notify(subject, title="已新建并提交")
        self.app.year = None  # type: ignore[attr-defined]  # open the new current year
        self.app.reload()  # type: ignore[attr-defined]
        self.dismiss(True)


class YearDialog(ModalScreen[int | None]):
    """Which campaign to open: the current one, or a past year to look back at or finish."""

    BINDINGS = [("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    YearDialog { align: center middle; }
    YearDialog #dialog { width: 50; height: auto; border: thick $accent; background: $panel; padding: 1 2; }
    YearDialog OptionList { height: auto; max-height: 10; }
    """

    def __init__(self, years: list[int], open_year: int, current: int):
        super().__init__()
        self.years, self.open_year, self.current = years, open_year, current

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList

        with Vertical(id="dialog"):
            yield Static("切换年度", classes="title")
            labels = [f"{y}年度" + ("（当前年度）" if y == self.current else "") + (" ← 正在查看" if y == self.open_year else "")
                      for y in self.years]
            yield OptionList(*labels, id="years")
            yield Static("往年的记录照常可以修改（如整改销号），每次修改都提交；档案的当前年度不变。")
            yield Static("Enter 打开 · Esc 取消", classes="status")

    def on_mount(self) -> None:
        from textual.widgets import OptionList

        years = self.query_one("#years", OptionList)
        years.highlighted = self.years.index(self.open_year) if self.open_year in self.years else 0
        years.focus()

    def on_option_list_option_selected(self, event) -> None:
        self.dismiss(self.years[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["CampaignScreen", "NewCampaignDialog", "OrgIndicatorsDialog", "RosterImportDialog"]
