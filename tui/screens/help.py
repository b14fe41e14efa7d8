"""F1: the keys of what has focus, then of the screen in front, then the keys that work everywhere."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from tui.keys import GLOBAL, REGISTRY, Action, first_key_label, fkey_number, keys_label, keys_of



def global_key(app: App, binding_id: str) -> str:
    """The label of a global action's first key, as the user has bound it."""
    action = next(a for a in REGISTRY[GLOBAL] if a.id == binding_id)
    return first_key_label(app, keys_of(app, action.id, action.key))


def closing(app: App) -> str:
    return (f"所有修改保存时即提交到档案的 git 历史；{global_key(app, 'app.palette')} 可按名称查找命令。"
            f"每行末尾的编号可写进按键设置文件 keymap.toml 改键（见 README）。"
            f"按 {global_key(app, 'app.help')} 或 Esc 关闭。")


class HelpRow(NamedTuple):
    keys: str  # Textual key names with the user's keymap applied, "ctrl+s" or "1,j"
    label: str  # as the footer and the palette show them (App.get_key_display)
    name: str
    what: str
    id: str = ""  # the keymap id, "" for keys that cannot be rebound


def action_row(app: App, action: Action) -> HelpRow:
    keys = keys_of(app, action.id, action.key)
    return HelpRow(keys, keys_label(app, keys), action.label, action.help, action.id)


def binding_row(app: App, binding: Binding) -> HelpRow:
    keys = keys_of(app, binding.id, binding.key) if binding.id else binding.key
    label = binding.key_display or keys_label(app, keys)
    return HelpRow(keys, label, binding.description, binding.tooltip, binding.id or "")


def help_sections(screen: Screen) -> list[tuple[str, list[HelpRow]]]:
    """(title, rows) for the focused widget, the screen and the app."""
    app = screen.app
    sections: list[tuple[str, list[HelpRow]]] = []
    scope = getattr(screen, "SCOPE", "")
    if scope:
        rows = [action_row(app, a) for a in REGISTRY.get(scope, [])]
    elif type(screen).__module__.startswith("tui."):  # one of our dialogs: its own keys
        rows = [binding_row(app, b) for _, b in screen._bindings if b.show and b.description]
    else:  # Textual's own (the command palette) names its keys in English
        rows = []
    focused = screen.focused
    widget_rows = []
    for node in focused.ancestors_with_self if focused else []:
        if node is screen:
            break
        for _, b in node._bindings:
            if b.show and b.description:
                widget_rows.append(binding_row(app, b))
    if widget_rows:
        sections.append(("当前位置", widget_rows))
    listed = {r.keys for r in widget_rows}
    rows = [r for r in rows if r.keys not in listed]
    if rows:
        sections.append((scope or "本窗口", rows))
    globals_ = sorted(REGISTRY.get(GLOBAL, []), key=lambda a: fkey_number(a.key))
    sections.append((GLOBAL, [action_row(app, a) for a in globals_]))
    return sections


def help_table(screen: Screen) -> Group:
    """One table per section, 按键 | 名称 | 作用, the columns the same width in every section and
    the last one wrapping to the width of the window; each action's keymap id follows, dim."""
    sections = help_sections(screen)
    rows = [row for _, section in sections for row in section]
    key_width = max(cell_len(r.label) for r in rows)
    name_width = max(cell_len(r.name) for r in rows)
    parts = []
    for title, section in sections:
        table = Table(title=Text(title, style="bold"), title_justify="left", expand=True, box=None,
                      padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("按键", no_wrap=True, style="bold", width=key_width)
        table.add_column("名称", no_wrap=True, width=name_width)
        table.add_column("作用", ratio=1, overflow="fold")
        for row in section:
            what = Text(row.what)
            if row.id:
                what.append(f"  {row.id}", style="dim")
            table.add_row(row.label, row.name, what)
        parts += [table, Text("")]
    parts.append(Text(closing(screen.app)))
    return Group(*parts)


class HelpScreen(ModalScreen):
    BINDINGS = [  # F1 closes it too: the app's F1 toggles (the footer says so: see __init__)
        Binding("escape", "close", "关闭"),
        Binding("q", "close", "关闭", show=False),
    ]
    CLOSE_ON_NAV = True  # a screen key closes it on the way (tui.app._leave_overlay)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100%; max-width: 100; height: auto; max-height: 100%; margin-bottom: 1; border: thick $accent; background: $panel; padding: 0 1; }
    """

    def __init__(self, screen: Screen):
        super().__init__()
        self.for_screen = screen
        close = f"{global_key(screen.app, 'app.help')}/Esc"
        self._bindings.key_to_bindings["escape"] = [Binding("escape", "close", "关闭", key_display=close)]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("帮助", classes="title")
            yield Static(help_table(self.for_screen), id="help-text")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss()
