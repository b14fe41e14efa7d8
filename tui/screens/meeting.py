"""F5 评议会: the list of meetings, the set-up screen and the guide that walks the meeting."""

from __future__ import annotations

import time

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static, TextArea

from schema.dates import cn_date, parse_date
from schema.kinds import BallotForm, MeetingStage, OrgKind, PaperKind, ReportMode
from schema.papers import printed_drift
from schema.reconcile import GROUPS, quorum_messages
from schema.records import Attendance, Meeting
from store.service import StoreError
from tui.dialogs import ConfirmDialog, PromptDialog, path_dialog, reason_dialog
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.counting import CompareScreen, ProjectorScreen, ReconcileScreen, start_publish
from tui.screens.keying import KeyingScreen
from tui.screens.paper import PaperCountScreen, can_enter_paper

STAGES = [MeetingStage.SIGN_IN, MeetingStage.REPORTS, MeetingStage.RATING, MeetingStage.COUNTING, MeetingStage.PUBLISHED]
NEXT = {  # 下一步, naming its key
    MeetingStage.SETUP: "按 n 开始签到（s 设置会议和人数，d 打印签到表）",
    MeetingStage.SIGN_IN: "清点实到人数（s 设置），按 n 开始述职",
    MeetingStage.REPORTS: "按 n 请下一位述职（t 计时，c 点评）；全部述职完毕后按 n 进入测评",
    MeetingStage.RATING: "k 录入测评票（v 第二遍），d 打印测评票；当场纸质计票的按 g 录入计票单",
    MeetingStage.COUNTING: "m 双录核对、r 计票核对，平衡后按 p 公布",
    MeetingStage.PUBLISHED: "结果已公布：o 投影显示；按 F6 评定等次",
}
KEYED = {True: "两遍均已录完：m 双录核对、r 计票核对，平衡后按 p 公布",
         False: "已录完：r 计票核对，平衡后按 p 公布"}
PRINTS = {"1": PaperKind.SIGN_IN, "2": PaperKind.BALLOT, "3": PaperKind.TALLY}


def meeting_orgs(snap) -> list[str]:
    return [o.id for o in snap.sorted_orgs() if o.kind != OrgKind.DIRECT_BRANCH and o.dissolved is None]


def default_order(snap, org: str) -> list[str]:
    return [b.id for b in sorted(snap.org_branches(org), key=lambda b: b.id) if snap.scope(b.id).in_scope]


class MeetingListScreen(AppScreen):
    SCOPE = "评议会"
    BINDINGS = register(SCOPE, [Action("meeting.open", "enter", "open", "打开", "打开所选二级党组织的述职评议会")])

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static("选择二级党组织，按 Enter 进入其述职评议会。", classes="subtitle")
        yield DataTable(id="meetings", cursor_type="row", zebra_stripes=True)
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("二级党组织", "日期", "地点", "阶段", "结果"):
            table.add_column(label)
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for org_id in meeting_orgs(self.snap):
            m = self.snap.meeting(org_id).record
            table.add_row(self.snap.orgs[org_id].record.name, cn_date(m.held), m.place or "—", m.stage.value,
                          "已公布" if m.published else "未公布", key=org_id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            self.app.push_screen(GuideScreen(key))

    def on_data_table_row_selected(self, _) -> None:
        self.action_open()


def print_papers(screen: AppScreen, org: str, kind: PaperKind) -> None:
    """Ask which paper (``kind`` offered) and where, then print it through the service, which
    records the order and form printed in the meeting (one commit). Ballots: as many as the
    set-up issues (one master to copy when none is set)."""
    name = screen.snap.orgs[org].record.name
    choices = " · ".join(f"{n} {k.value}" for n, k in PRINTS.items())

    def which(text: str) -> PaperKind:
        text = text.strip()
        if text in PRINTS:
            return PRINTS[text]
        for k in PRINTS.values():
            if text == k.value:
                return k
        raise ValueError(f"请输入 1、2 或 3（{choices}）。")

    def where(kind: PaperKind | None) -> None:
        if kind is not None:
            screen.app.push_screen(path_dialog(f"打印{kind.value}：{name}（.docx 或 .pdf）", paper_default(name, kind)),
                                   lambda path: path and write(kind, path))

    def write(kind: PaperKind, path: str) -> None:
        meeting = screen.snap.meeting(org).record
        copies = meeting.ballots.issued if kind == PaperKind.BALLOT else 0
        screen.run_worker(lambda: commit(kind, path, copies), thread=True, group="print")

    def commit(kind: PaperKind, path: str, copies: int) -> None:
        app = screen.shuping
        printout = app.apply(app.service.papers.print, org, kind, path, copies)
        if printout is not None:
            app.call_from_thread(app.notify, f"{printout.describe()}：{printout.path.resolve()}",
                                 title=f"已输出{kind.value}并记下打印时的顺序", timeout=10)

    default = next(n for n, k in PRINTS.items() if k == kind)
    screen.app.push_screen(PromptDialog("打印评议会用纸", f"{choices}（输入编号，Enter 确定）", value=default,
                                        validate=which), where)


def offered_paper(stage: MeetingStage) -> PaperKind:
    """The paper the meeting needs next: the sign-in sheet before ①签到 is done, the ballots for
    ③测评, the tally sheet for counting on paper."""
    if stage in (MeetingStage.SETUP, MeetingStage.SIGN_IN):
        return PaperKind.SIGN_IN
    return PaperKind.TALLY if stage in (MeetingStage.COUNTING, MeetingStage.PUBLISHED) else PaperKind.BALLOT


def paper_default(org_name: str, kind: PaperKind) -> str:
    """The file offered for a paper: in the current folder, as the command line writes a relative -o."""
    return f"{kind.value}-{org_name}.docx"


class CommentBox(TextArea):
    BINDINGS = [("escape", "leave", "离开点评")]

    def action_leave(self) -> None:
        self.screen.set_focus(None)


class GuideScreen(AppScreen):
    SCOPE = "评议会向导"
    AUTO_FOCUS = ""  # plain-letter keys drive the guide; the 点评 box is entered with c
    BINDINGS = register(  # the footer keeps what fits at 80 columns; the guide's hint line lists every key
        SCOPE,
        [
            Action("guide.next", "n", "next", "下一步", "进入下一环节；述职环节中为下一位"),
            Action("guide.prev", "b", "prev", "上一步", "回到上一位述职人或上一环节", show=False),
            Action("guide.timer", "t", "timer", "计时", "开始/暂停当前述职人的计时"),
            Action("guide.comment", "c", "comment", "点评", "输入点评（边输边存；Esc 离开输入框）"),
            Action("guide.setup", "s", "setup", "设置", "评议会设置：日期、人数、顺序、方式、票数"),
            Action("guide.print", "d", "print", "打印", "打印签到表、测评票或计票表（.docx/.pdf），记下打印时的顺序", show=False),
            Action("guide.key1", "k", "keying(1)", "录票", "录入测评票（第一遍）"),
            Action("guide.key2", "v", "keying(2)", "第二遍", "第二遍盲录（双录核对用）", show=False),
            Action("guide.compare", "m", "compare", "双录核对", "列出两遍录入不一致的格子并逐一确认", show=False),
            Action("guide.paper", "g", "paper", "纸质计票", "当场纸质计票的评议会：录入计票单（各书记得票数）并公布", show=False),
            Action("guide.reconcile", "r", "reconcile", "核对", "计票核对：发出、收回、有效、无效与法定人数"),
            Action("guide.publish", "p", "publish", "公布", "公布测评结果（未平衡时需填写原因）"),
            Action("guide.projector", "o", "projector", "投影", "投影显示测评结果（公布后）", show=False),
            Action("guide.back", "escape", "back", "返回", "回到评议会列表"),
        ],
    )

    def __init__(self, org: str):
        super().__init__()
        self.org = org
        self.elapsed = 0.0
        self.started: float | None = None
        self._meeting: Meeting | None = None
        self._keyed: tuple[int, int] | None = None  # ballots committed per pass, once counted
        self._comment_for: str | None = None  # the speaker whose 点评 the box holds
        self._shown_comment: str | None = None  # the 点评 as read (typing changes it)
        self._comment_timer = None  # saves the 点评 a second after typing stops

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="steps")
        yield Static(id="where")
        yield Static(id="timer")
        yield CommentBox(id="comment", soft_wrap=True)
        yield Static(id="comment-state")
        yield from self.footer()

    def on_mount(self) -> None:
        self.load()
        self.set_interval(0.5, self.tick)

    def load(self) -> None:
        """The meeting as the snapshot has it (with its queued changes); a new one lists the
        secretaries in scope."""
        stored = self.snap.meeting(self.org)
        meeting = stored.record
        if not meeting.order and stored.version is None:
            meeting = meeting.model_copy(update={"order": default_order(self.snap, self.org)})
        self._meeting = meeting
        if meeting.stage in (MeetingStage.RATING, MeetingStage.COUNTING):
            self.count_ballots()
        self.show()

    @work(thread=True, exclusive=True, group="guide-count")
    def count_ballots(self) -> None:
        """How many ballots each pass has, once those still queued are committed."""
        try:
            keyed = self.shuping.service.ballots.count(self.org)
        except StoreError:
            return
        self.app.call_from_thread(self._counted, keyed)

    def _counted(self, keyed: tuple[int, int]) -> None:
        if keyed != self._keyed:
            self._keyed = keyed
            self.show()

    def refresh_data(self) -> None:
        self.load()

    @property
    def meeting(self) -> Meeting:
        return self._meeting

    def speaker_id(self) -> str | None:
        m = self.meeting
        return m.order[m.speaker] if m.stage == MeetingStage.REPORTS and m.speaker < len(m.order) else None

    def show(self) -> None:
        m = self.meeting
        org = self.snap.orgs[self.org].record.name
        steps = []
        for n, stage in enumerate(STAGES, start=1):
            text = f"{'①②③④⑤'[n - 1]}{stage.value}"
            steps.append(f"[b reverse] {text} [/]" if stage == m.stage else f" {text} ")
        self.query_one("#steps", Static).update("".join(steps))
        lines = [f"[b]{org}[/] · {cn_date(m.held)} · {m.place or '地点未定'} · 主持 {m.chair or '—'}"]
        due = sum(a.due for a in m.attendance)
        present = sum(a.present for a in m.attendance)
        quorum = quorum_messages(m.attendance, self.snap.campaign.scoring.quorum)
        lines.append(f"应到 {due} 人，实到 {present} 人" + (f" · [red]{quorum[-1]}[/]" if quorum else " · 已过半数"))
        box = self.query_one(CommentBox)
        speaker = self.speaker_id()
        if speaker:
            branch = self.snap.branches[speaker].record
            review = self.snap.review(speaker).record
            mode = review.meeting.mode
            extra = f"（书面述职：{review.meeting.mode_reason}）" if mode == ReportMode.WRITTEN else ""
            lines.append(f"第 {m.speaker + 1}/{len(m.order)} 位：[b]{branch.secretary}[/] · {branch.name} · {mode.value}{extra}")
            if m.speaker + 1 < len(m.order):
                nxt = self.snap.branches[m.order[m.speaker + 1]].record
                lines.append(f"下一位：{nxt.secretary}（{nxt.name}）")
            if self._comment_for != speaker:
                self._comment_for = speaker
                self._shown_comment = review.meeting.comment
                box.text = review.meeting.comment
                self.elapsed, self.started = 0.0, None
        if m.stage in (MeetingStage.RATING, MeetingStage.COUNTING):
            first, second = self._keyed if self._keyed else ("…", "…")
            lines.append(f"已录入：第一遍 {first} 张" + (f"，第二遍 {second} 张" if m.double_entry else "（不双录）")
                         + f" · 发出 {m.ballots.issued} 张")
        lines.append(f"下一步：{self.next_step()}")
        lines.append("[dim]n 下一步 · b 上一步 · t 计时 · c 点评 · s 设置 · d 打印\n"
                     "k/v 录票 · g 纸质计票 · m 双录 · r 核对 · p 公布 · o 投影[/]")
        self.query_one("#where", Static).update("\n".join(lines))
        box.display = bool(speaker)
        if not speaker and box.has_focus:
            self.set_focus(None)
        self.query_one("#timer").display = bool(speaker)
        self.query_one("#comment-state").display = bool(speaker)
        self.tick()

    def next_step(self) -> str:
        """What to do next, naming its key: once every collected ballot is keyed (in both passes
        where double entry is on), compare, reconcile and publish."""
        m = self.meeting
        if m.published:
            return NEXT[MeetingStage.PUBLISHED]
        if m.stage == MeetingStage.RATING and self._keyed:
            first, second = self._keyed
            target = m.ballots.collected or first
            if first and first >= target and (not m.double_entry or second >= target):
                return KEYED[m.double_entry]
        return NEXT[m.stage]

    # ------------------------------------------------------------------ timer

    def tick(self) -> None:
        if not self.speaker_id():
            return
        elapsed = self.elapsed + (time.monotonic() - self.started if self.started else 0)
        limit = self.meeting.speech_minutes * 60
        warn = limit - self.meeting.warn_minutes * 60
        timer = self.query_one("#timer", Static)
        state = "计时中" if self.started else "已暂停（t 开始）"
        note = ""
        if elapsed >= limit:
            note = f" · 已超时 {int(elapsed - limit) // 60}:{int(elapsed - limit) % 60:02d}"
        elif elapsed >= warn:
            note = f" · 还剩 {int(limit - elapsed)} 秒"
        timer.update(f"述职计时 {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d} / {self.meeting.speech_minutes:02d}:00 · {state}{note}")
        timer.set_class(warn <= elapsed < limit, "-warn")
        timer.set_class(elapsed >= limit, "-over")

    def _not_reporting(self) -> bool:
        """计时 and 点评 belong to a speaker: outside the 述职 step say so rather than do nothing."""
        if self.speaker_id():
            return False
        self.notify("计时和点评用于述职环节：按 n 进入述职。")
        return True

    def action_timer(self) -> None:
        if self._not_reporting():
            return
        if self.started:
            self.elapsed += time.monotonic() - self.started
            self.started = None
        else:
            self.started = time.monotonic()
        self.tick()

    # ------------------------------------------------------------------ 点评, saved as you type

    def action_comment(self) -> None:
        if not self._not_reporting():
            self.query_one(CommentBox).focus()

    def on_text_area_changed(self, _) -> None:
        if self.query_one(CommentBox).text == self._shown_comment:
            return
        self._shown_comment = None
        self.query_one("#comment-state", Static).update("点评：保存中…")
        if self._comment_timer:
            self._comment_timer.stop()
        self._comment_timer = self.set_timer(1.0, self.save_comment)

    def save_comment(self) -> None:
        saved = self.shuping.service.meeting.save_comment(self._comment_for, self.query_one(CommentBox).text,
                                                          done=self._comment_committed)
        if saved is None:
            self.query_one("#comment-state", Static).update("点评：已保存")
        else:
            self.shuping.take_snapshot()

    def _comment_committed(self, sha, error) -> None:
        """On the writer thread."""
        self.app.call_from_thread(self._comment_saved, error)

    def _comment_saved(self, error) -> None:
        if error is not None:
            self.query_one("#comment-state", Static).update(f"[red]点评未保存：{escape(str(error))}[/]")
            self.shuping.take_snapshot()  # the review as it is on disk
        else:
            self.query_one("#comment-state", Static).update("点评：已保存")

    # ------------------------------------------------------------------ moving through the meeting

    def set_stage(self, stage: MeetingStage, speaker: int = 0, message: str = "") -> None:
        meeting = self.meeting.model_copy(update={"stage": stage, "speaker": speaker})
        self.save_meeting(meeting, message or f"评议会进入{stage.value}环节：{self.snap.orgs[self.org].record.name}")

    def save_meeting(self, meeting: Meeting, message: str) -> None:
        """Show the change at once; the commit is queued in order behind the ballots."""
        self.shuping.service.meeting.save(self.org, meeting, message, done=self._meeting_saved)
        self.shuping.take_snapshot()  # redraws this screen (refresh_data) with the change

    def _meeting_saved(self, sha, error) -> None:
        """On the writer thread: a failed save is shown and the screen shows the record on disk again."""
        if error is not None:
            self.app.call_from_thread(self.notify, str(error), title="未保存", severity="error", timeout=12)
            self.shuping.take_snapshot()

    def action_next(self) -> None:
        m = self.meeting
        if m.published:
            self.notify("结果已公布。")
            return
        if m.stage == MeetingStage.SETUP:
            self.set_stage(MeetingStage.SIGN_IN)
        elif m.stage == MeetingStage.SIGN_IN:
            if not m.order:
                self.notify("还没有述职顺序：按 s 设置。", severity="error")
                return
            self.set_stage(MeetingStage.REPORTS, 0)
        elif m.stage == MeetingStage.REPORTS and m.speaker + 1 < len(m.order):
            self.flush_comment()
            self.set_stage(MeetingStage.REPORTS, m.speaker + 1, f"述职：第 {m.speaker + 2} 位（{self.snap.orgs[self.org].record.name}）")
        elif m.stage == MeetingStage.REPORTS:
            self.flush_comment()
            self.set_stage(MeetingStage.RATING)
        elif m.stage == MeetingStage.RATING:
            self.set_stage(MeetingStage.COUNTING)
        elif m.stage == MeetingStage.COUNTING:
            self.action_publish()

    def action_prev(self) -> None:
        m = self.meeting
        if m.published:
            return
        if m.stage == MeetingStage.REPORTS and m.speaker > 0:
            self.flush_comment()
            self.set_stage(MeetingStage.REPORTS, m.speaker - 1, "述职：回到上一位")
        elif m.stage != MeetingStage.SETUP:
            self.set_stage(STAGES[max(0, STAGES.index(m.stage) - 1)] if m.stage in STAGES else MeetingStage.SETUP)

    def flush_comment(self) -> None:
        timer = self._comment_timer
        if timer:
            timer.stop()
            self._comment_timer = None
            self.save_comment()

    def action_setup(self) -> None:
        self.app.push_screen(SetupScreen(self.org), lambda _: self.load())

    def action_keying(self, entry: int) -> None:
        if self.meeting.published:
            self.notify("结果已公布，不能再录票。", severity="warning")
            return
        if entry == 2 and not self.meeting.double_entry:
            self.notify("本次评议会未开启双录。", severity="warning")
            return

        def go() -> None:
            if self.meeting.stage not in (MeetingStage.RATING, MeetingStage.COUNTING):
                self.set_stage(MeetingStage.RATING)
            self.app.push_screen(KeyingScreen(self.org, entry), lambda _: self.load())

        def check_print() -> None:
            self.ask_if_printed_differs(PaperKind.BALLOT, go)

        if sum(a.present for a in self.meeting.attendance) == 0:
            self.app.push_screen(ConfirmDialog(
                "还没有签到", "还没有签到（实到人数为 0）：无法核对法定人数和发出票数。请先按 s 在设置中填写各类人员的实到人数。\n\n仍要录票吗？"),
                lambda ok: check_print() if ok else None)
            return
        check_print()

    def action_paper(self) -> None:
        if can_enter_paper(self, self.org):
            self.ask_if_printed_differs(
                PaperKind.TALLY, lambda: self.app.push_screen(PaperCountScreen(self.org), lambda _: self.load()))

    def ask_if_printed_differs(self, kind: PaperKind, go) -> None:
        """Where the paper printed no longer matches the order or form keyed, say what changed and ask first."""
        names = {b.id: b.secretary for b in self.snap.org_branches(self.org)}
        changed = printed_drift(self.meeting, [kind], names)
        if not changed:
            go()
            return
        text = "\n".join(changed) + f"\n\n按纸上的顺序录入会录错列：请先重新打印{kind.value}，或核对后再录。仍要继续吗？"
        self.app.push_screen(ConfirmDialog(f"打印的{kind.value}与现在不一致", text), lambda ok: go() if ok else None)

    def action_print(self) -> None:
        print_papers(self, self.org, offered_paper(self.meeting.stage))

    def action_compare(self) -> None:
        self.app.push_screen(CompareScreen(self.org), lambda _: self.load())

    def action_reconcile(self) -> None:
        self.app.push_screen(ReconcileScreen(self.org), lambda _: self.load())

    def action_publish(self) -> None:
        start_publish(self, self.org, self.load)

    def action_projector(self) -> None:
        self.app.push_screen(ProjectorScreen(self.org))

    def action_back(self) -> None:
        self.flush_comment()
        self.app.pop_screen()


class OrderTable(DataTable):
    BINDINGS = [
        ("u", "screen.move(-1)", "上移"),
        ("d", "screen.move(1)", "下移"),
        ("m", "screen.toggle_mode", "现场/书面"),
        ("l", "screen.draw", "抽签"),
    ]


def field_error(row: str) -> Static:
    return Static("", id=f"{row}-error", classes="field-error -empty", markup=False)


class SetupScreen(AppScreen):
    SCOPE = "评议会设置"
    BINDINGS = register(
        SCOPE,
        [
            Action("setup.save", "ctrl+s", "save", "保存", "校验并保存设置（评议会记录与各支部述职方式，一次提交）"),
            Action("setup.order", "ctrl+o", "focus_order", "顺序", "跳到述职顺序：u 上移、d 下移、m 现场/书面、l 抽签"),
            Action("setup.print", "ctrl+t", "print", "打印", "打印签到表、测评票或计票表（按已保存的设置），记下打印时的顺序"),
            Action("setup.back", "escape", "back", "返回", "返回向导（有未保存的修改时先问：保存、放弃还是取消）"),
        ],
    )

    def __init__(self, org: str):
        super().__init__()
        self.org = org

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="frozen", classes="warning")
        yield Static(id="error", classes="error")
        with VerticalScroll(id="form"):
            for key, label in [("held", "日期"), ("place", "地点"), ("chair", "主持人"), ("observers", "列席")]:
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield Input(id=key, placeholder={"held": "如 2021-01-30 或 2021年1月30日", "observers": "多人用、分隔"}.get(key, ""))
                if key == "held":
                    yield field_error("held")
            for n, group in enumerate(GROUPS):
                with Horizontal(classes="form-row pair"):
                    yield Label(f"{group} 应到/实到")
                    yield Input(id=f"due{n}", type="integer")
                    yield Input(id=f"present{n}", type="integer")
                yield field_error(f"att{n}")
            with Horizontal(classes="form-row"):
                yield Label("测评票形式")
                yield Select([(f.value, f.value) for f in BallotForm], id="form-type", allow_blank=False)
            with Horizontal(classes="form-row"):
                yield Label("双录核对")
                yield Checkbox("第二位录入员盲录一遍", id="double")
            yield field_error("form-type")
            with Horizontal(classes="form-row pair"):
                yield Label("述职限时/提前提醒")
                yield Input(id="minutes", type="integer")
                yield Input(id="warn", type="integer")
            yield field_error("timing")
            with Horizontal(classes="form-row pair"):
                yield Label("票数 发出/收回/未收")
                yield Input(id="issued", type="integer")
                yield Input(id="collected", type="integer")
                yield Input(id="not_returned", type="integer")
            yield field_error("counts")
            yield Static("述职顺序（u 上移 · d 下移 · m 现场/书面 · l 抽签）", classes="subtitle")
            yield OrderTable(id="order", cursor_type="row")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one(OrderTable)
        for label in ("序", "党支部", "书记", "方式", "书面原因"):
            table.add_column(label)
        self.fill_form()
        self.query_one("#held", Input).focus()

    def fill_form(self) -> None:
        """The form as saved (on opening, and when its edits are thrown away)."""
        self.base = m = self.snap.meeting(self.org).record  # what the form was filled from
        self.order = list(m.order) or default_order(self.snap, self.org)
        self.lot_seed = m.lot_seed
        self.modes = {b: self.snap.review(b).record.meeting for b in self.order}
        values = {"held": m.held.isoformat() if m.held else "", "place": m.place, "chair": m.chair,
                  "observers": "、".join(m.observers), "minutes": str(m.speech_minutes), "warn": str(m.warn_minutes),
                  "issued": str(m.ballots.issued), "collected": str(m.ballots.collected),
                  "not_returned": str(m.ballots.not_returned)}
        attendance = {a.group: a for a in m.attendance}
        for n, group in enumerate(GROUPS):
            a = attendance.get(group, Attendance(group=group))
            values[f"due{n}"], values[f"present{n}"] = str(a.due), str(a.present)
        for key, value in values.items():
            self.query_one(f"#{key}", Input).value = value
        self.query_one("#form-type", Select).value = m.form.value
        self.query_one("#double", Checkbox).value = m.double_entry
        if m.frozen:
            self.query_one("#frozen", Static).update(
                "已开始录票：测评票形式、双录和述职名单已冻结（顺序与方式仍可调整）。")
        self._errors_shown = False
        self.show_errors({})
        self.pristine = None  # the order is not filled in yet: nothing unsaved
        self.fill_order()
        self.pristine = self.form_state()
        self._edited()

    def discard_unsaved(self) -> None:
        self.fill_form()

    def on_checkbox_changed(self, _) -> None:
        self._edited()

    def has_unsaved(self) -> bool:
        """For Ctrl+Q and the F-keys (tui.screens.base.AppScreen.leave): edits not yet saved."""
        return getattr(self, "pristine", None) is not None and self.form_state() != self.pristine

    def form_state(self):
        """What Esc would throw away: the form as read (or its raw text while it has errors), and the modes."""
        meeting, errors = self.read_form()
        if errors:
            meeting = tuple(i.value for i in self.query(Input))
        return meeting, {b: (p.mode, p.mode_reason) for b, p in self.modes.items()}

    def fill_order(self, cursor: int = 0) -> None:
        table = self.query_one(OrderTable)
        table.clear()
        for n, b in enumerate(self.order, start=1):
            branch = self.snap.branches[b].record
            part = self.modes[b]
            table.add_row(str(n), branch.name, branch.secretary, part.mode.value, part.mode_reason)
        if self.order:
            table.move_cursor(row=max(0, min(cursor, len(self.order) - 1)))
        self._edited()

    def action_focus_order(self) -> None:
        self.query_one(OrderTable).focus()

    def action_move(self, step: int) -> None:
        i = self.query_one(OrderTable).cursor_row
        j = i + step
        if 0 <= j < len(self.order):
            self.order[i], self.order[j] = self.order[j], self.order[i]
            self.lot_seed = None
            self.fill_order(j)

    def action_draw(self) -> None:
        self.order, self.lot_seed = self.shuping.service.meeting.draw_lots(self.order)
        self.fill_order()
        self.notify(f"已抽签确定述职顺序（种子 {self.lot_seed}，保存后记录在案）")

    def action_toggle_mode(self) -> None:
        i = self.query_one(OrderTable).cursor_row
        branch = self.order[i]
        part = self.modes[branch]
        if part.mode == ReportMode.WRITTEN:
            self.modes[branch] = part.model_copy(update={"mode": ReportMode.IN_PERSON, "mode_reason": ""})
            self.fill_order(i)
            return

        def done(reason: str | None) -> None:
            if reason:
                self.modes[branch] = part.model_copy(update={"mode": ReportMode.WRITTEN, "mode_reason": reason})
                self.fill_order(i)

        self.app.push_screen(reason_dialog(f"{self.snap.branches[branch].record.name} 书面述职：请填写原因"), done)

    def read_form(self) -> tuple[Meeting | None, dict[str, list[str]]]:
        """The meeting the form describes, or the errors by the row they are shown under."""
        errors: dict[str, list[str]] = {}

        def error(row: str, text: str) -> None:
            errors.setdefault(row, []).append(text)

        def number(key: str, label: str, row: str) -> int:
            raw = self.query_one(f"#{key}", Input).value.strip() or "0"
            try:
                value = int(raw)
                if value < 0:
                    raise ValueError
                return value
            except ValueError:
                error(row, f"{label}应为非负整数，现为“{raw}”")
                return 0

        held_raw = self.query_one("#held", Input).value.strip()
        held = None
        try:
            held = parse_date(held_raw)
        except ValueError as e:
            error("held", str(e))
        attendance = []
        for n, group in enumerate(GROUPS):
            due, present = number(f"due{n}", "应到人数", f"att{n}"), number(f"present{n}", "实到人数", f"att{n}")
            if present > due:
                error(f"att{n}", f"实到 {present} 人多于应到 {due} 人")
            attendance.append(Attendance(group=group, due=due, present=present))
        observers = [s.strip() for s in self.query_one("#observers", Input).value.replace(",", "、").replace("，", "、").split("、") if s.strip()]
        minutes, warn = number("minutes", "述职时限", "timing"), number("warn", "提醒时间", "timing")
        if not 1 <= minutes <= 60:
            error("timing", "述职时限应为 1–60 分钟")
        if warn >= minutes:
            error("timing", "提前提醒的分钟数应小于述职时限")
        counts = self.base.ballots.model_copy(update={
            "issued": number("issued", "发出票数", "counts"), "collected": number("collected", "收回票数", "counts"),
            "not_returned": number("not_returned", "未收回票数", "counts")})
        form = BallotForm(self.query_one("#form-type", Select).value)
        double = self.query_one("#double", Checkbox).value
        old = self.base
        if old.frozen and (form != old.frozen.form or double != old.double_entry):
            error("form-type", "已开始录票，测评票形式和双录设置不能再改")
        if form == BallotForm.INDICATORS and not self.snap.campaign.indicators:
            error("form-type", "本年度未设置测评指标（F9 年度设置），不能用指标票")
        if errors:
            return None, errors
        meeting = old.model_copy(update={
            "held": held, "place": self.query_one("#place", Input).value.strip(),
            "chair": self.query_one("#chair", Input).value.strip(), "attendance": attendance,
            "observers": observers, "order": list(self.order), "lot_seed": self.lot_seed, "ballots": counts,
            "form": form, "double_entry": double, "speech_minutes": minutes, "warn_minutes": max(0, warn),
        })
        return meeting, {}

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Each error under its row, and how many at the top; the first row with one is scrolled
        into sight (the form scrolls at 80×24)."""
        first = None
        for box in self.query(".field-error").results(Static):
            row = box.id.removesuffix("-error")
            box.update("；".join(errors.get(row, [])))
            box.set_class(row not in errors, "-empty")
            if row in errors and first is None:
                first = box
        count = sum(len(e) for e in errors.values())
        self.query_one("#error", Static).update(f"有 {count} 处填写错误（已标在该栏下方），未保存。" if count else "")
        if first is not None:
            self.call_after_refresh(self.query_one("#form", VerticalScroll).scroll_to_widget, first, animate=False)

    def on_input_changed(self, _) -> None:
        """Shown errors go away as they are corrected."""
        if self._errors_shown:
            _, errors = self.read_form()
            self._errors_shown = bool(errors)
            self.show_errors(errors)

    def action_save(self) -> None:
        meeting, errors = self.read_form()
        self._errors_shown = bool(errors)
        self.show_errors(errors)
        if meeting is None:
            return
        self.save_worker(meeting, {b: self.modes[b] for b in self.order})

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, meeting: Meeting, modes) -> None:
        message = self.shuping.apply(self.shuping.service.meeting.setup, self.org, meeting, modes)
        if message is not None:
            self.app.call_from_thread(self._saved, message)

    def _saved(self, message: str) -> None:
        if not message:
            self.notify("没有修改。")
            return
        self.base = self.snap.meeting(self.org).record
        self.pristine = self.form_state()
        self._edited()
        self.notify(message, title="已保存并提交")

    def action_print(self) -> None:
        if self.form_state() != self.pristine:
            self.notify("设置有未保存的修改：打印按已保存的设置，请先按 Ctrl+S 保存。", severity="warning")
            return
        print_papers(self, self.org, offered_paper(self.base.stage))

    def action_back(self) -> None:
        self.leave(lambda: self.dismiss(None))


__all__ = ["GuideScreen", "MeetingListScreen", "SetupScreen"]
