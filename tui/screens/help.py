"""F1: the keys of what has focus, then of the screen in front, then the keys that work everywhere."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from tui.keys import GLOBAL, REGISTRY, fkey_number

CLOSING = "所有修改保存时即提交到档案的 git 历史；Ctrl+P 可按名称查找命令。按 F1 或 Esc 关闭。"


def key_label(key: str) -> str:
    """How a Textual key name reads on the help screen: ctrl+s → Ctrl+S, slash → /."""
    names = {"slash": "/", "escape": "Esc", "enter": "Enter", "pagedown": "PgDn", "pageup": "PgUp",
             "space": "空格", "backspace": "Backspace", "tab": "Tab", "delete": "Del", "up": "↑", "down": "↓",
             "left": "←", "right": "→", "home": "Home", "end": "End", "shift": "Shift"}
    parts = []
    for part in key.split(","):
        mods = part.split("+")
        base = names.get(mods[-1], mods[-1].upper() if len(mods[-1]) <= 3 else mods[-1])
        parts.append("+".join([m.capitalize() for m in mods[:-1]] + [base]))
    return " / ".join(parts)


def help_sections(screen: Screen) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(title, [(key, name, what it does)]) for the focused widget, the screen and the app."""
    sections: list[tuple[str, list[tuple[str, str, str]]]] = []
    listed: set[str] = set()
    scope = getattr(screen, "SCOPE", "")
    if scope:
        rows = [(a.key, a.label, a.help) for a in REGISTRY.get(scope, [])]
    elif type(screen).__module__.startswith("tui."):  # one of our dialogs: its own keys
        rows = [(b.key, b.description, b.tooltip) for _, b in screen._bindings if b.show and b.description]
    else:  # Textual's own (the command palette) names its keys in English
        rows = []
    focused = screen.focused
    widget_rows = []
    for node in focused.ancestors_with_self if focused else []:
        if node is screen:
            break
        for _, b in node._bindings:
            if b.show and b.description:
                widget_rows.append((b.key, b.description, b.tooltip))
    if widget_rows:
        sections.append(("当前位置", widget_rows))
        listed.update(k for k, _, _ in widget_rows)
    rows = [r for r in rows if r[0] not in listed]
    if rows:
        sections.append((scope or "本窗口", rows))
    globals_ = sorted(REGISTRY.get(GLOBAL, []), key=lambda a: fkey_number(a.key))
    sections.append((GLOBAL, [(a.key, a.label, a.help) for a in globals_]))
    return sections


def help_table(screen: Screen) -> Group:
    """One table per section, 按键 | 名称 | 作用, the columns the same width in every section and
    the last one wrapping to the width of the window."""
    sections = help_sections(screen)
    rows = [row for _, section in sections for row in section]
    key_width = max(cell_len(key_label(k)) for k, _, _ in rows)
    name_width = max(cell_len(n) for _, n, _ in rows)
    parts = []
    for title, section in sections:
        table = Table(title=Text(title, style="bold"), title_justify="left", expand=True, box=None,
                      padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("按键", no_wrap=True, style="bold", width=key_width)
        table.add_column("名称", no_wrap=True, width=name_width)
        table.add_column("作用", ratio=1, overflow="fold")
        for key, name, what in section:
            table.add_row(key_label(key), name, what)
        parts += [table, Text("")]
    parts.append(Text(CLOSING))
    return Group(*parts)


class HelpScreen(ModalScreen):
    BINDINGS = [  # F1 closes it too: the app's F1 toggles
        Binding("escape", "close", "关闭", key_display="F1/Esc"),
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

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("帮助", classes="title")
            yield Static(help_table(self.for_screen), id="help-text")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss()
