"""F1: the keys of the screen in front, then the keys that work everywhere."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.keys import GLOBAL, REGISTRY


def key_label(key: str) -> str:
    """How a Textual key name reads on the help screen: ctrl+s → Ctrl+S, slash → /."""
    names = {"slash": "/", "escape": "Esc", "enter": "Enter", "pagedown": "PgDn", "pageup": "PgUp",
             "space": "空格", "backspace": "Backspace", "tab": "Tab", "delete": "Del"}
    parts = []
    for part in key.split(","):
        mods = part.split("+")
        base = names.get(mods[-1], mods[-1].upper() if len(mods[-1]) <= 3 else mods[-1])
        parts.append("+".join([m.capitalize() for m in mods[:-1]] + [base]))
    return " / ".join(parts)


def help_text(screen: Screen) -> str:
    scope = getattr(screen, "SCOPE", "")
    lines = []
    for title in [scope, GLOBAL] if scope else [GLOBAL]:
        actions = REGISTRY.get(title, [])
        if not actions:
            continue
        lines.append(f"[b]{title}[/b]")
        for a in actions:
            label = a.label + " " * max(0, 8 - cell_len(a.label))  # CJK characters are two columns wide
            lines.append(f"  {key_label(a.key):<10} {label} {a.help}")
        lines.append("")
    lines.append("所有修改保存时即提交到档案的 git 历史；Ctrl+P 可按名称查找命令。按 Esc 或 F1 关闭。")
    return "\n".join(lines)


class HelpScreen(ModalScreen):
    BINDINGS = [("escape,q", "close", "关闭")]  # F1 closes it too: the app's F1 toggles
    CLOSE_ON_NAV = True  # a screen key closes it on the way (tui.app._leave_overlay)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: thick $accent; background: $panel; padding: 0 1; }
    """

    def __init__(self, screen: Screen):
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("帮助", classes="title")
            yield Static(help_text(self.for_screen), id="help-text")

    def action_close(self) -> None:
        self.dismiss()
