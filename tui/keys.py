"""One registry of actions: footer bindings, the help screen and the command palette all
come from here, so a key is declared once.

Keys are chosen to survive SSH terminals: F-keys, ctrl+letter, plain letters, arrows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.keys import format_key, key_to_character

if TYPE_CHECKING:
    from textual.app import App


@dataclass(frozen=True)
class Action:
    id: str  # stable id, also the keymap id
    key: str
    action: str  # Textual action string
    label: str  # footer text
    help: str = ""  # one sentence for the help screen and the palette
    show: bool = True
    priority: bool = False


REGISTRY: dict[str, list[Action]] = {}  # scope title → actions


def register(scope: str, actions: list[Action]) -> list[Binding]:
    """Record ``actions`` under ``scope`` (a screen's Chinese title) and return bindings."""
    REGISTRY[scope] = actions
    return [
        Binding(
            a.key, a.action, a.label, show=a.show and not a.action.startswith(NAV_PREFIX),
            priority=a.priority, id=a.id, tooltip=a.help,
        )
        for a in actions
    ]


GLOBAL = "全局"
NAV_PREFIX = "app.goto('"


def nav_markup(app: App) -> str:
    """The screen bar above the footer: F2概览 F3党支部 … with the current screen highlighted.

    The F-keys that switch screens live here rather than in the footer, which keeps the
    footer for the keys of the screen in front and lets everything fit in 80 columns."""
    parts = []
    current_mode = app.current_mode
    for action in sorted(REGISTRY.get(GLOBAL, []), key=lambda a: fkey_number(a.key)):
        if not action.action.startswith(NAV_PREFIX):
            continue
        mode = action.action[len(NAV_PREFIX) : -2]
        text = f"{first_key_label(app, keys_of(app, action.id, action.key))}[b]{action.label}[/b]"
        parts.append(f"[reverse]{text}[/reverse]" if mode == current_mode else text)
    return " ".join(parts)


def fkey_number(key: str) -> int:
    return int(key[1:]) if key.startswith("f") and key[1:].isdigit() else 99


# ------------------------------------------------------------------ keys as the user has them

MODIFIERS = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "meta": "Meta", "super": "Super", "hyper": "Hyper"}
KEY_NAMES = {  # keycap names; Chinese where Textual would show English words
    "enter": "Enter", "escape": "Esc", "tab": "Tab", "space": "空格", "backspace": "Backspace",
    "delete": "Del", "insert": "Ins", "home": "Home", "end": "End", "pageup": "PgUp", "pagedown": "PgDn",
    "up": "↑", "down": "↓", "left": "←", "right": "→",
}


def key_display(binding: Binding) -> str:
    """How one bound key reads everywhere (footer, help, palette, screen bar): ctrl+s → Ctrl+S,
    f1 → F1, escape → Esc, up → ↑, slash → /, x → X. ``App.get_key_display`` calls this."""
    if binding.key_display:
        return binding.key_display
    *mods, key = binding.key.split("+")
    if len(key) == 1 and key.isalpha() and key.isupper() and "shift" not in mods:
        mods.append("shift")  # Textual names shift+x "X": uppercase is how every letter is shown
    if key in KEY_NAMES:
        name = KEY_NAMES[key]
    elif key[:1] == "f" and key[1:].isdigit():
        name = key.upper()
    elif len(key) == 1:
        name = key.upper()
    else:
        name = key_to_character(key) or format_key(key)
    return "+".join([MODIFIERS.get(m, m.capitalize()) for m in mods] + [name])


def keys_of(app: App, binding_id: str, default: str) -> str:
    """The keys bound to ``binding_id`` with the user's keymap applied ("ctrl+s", "1,j")."""
    return app._keymap.get(binding_id) or default  # Textual keeps the keymap set by set_keymap here


def keys_label(app: App, keys: str) -> str:
    """Every key of a binding, as the help screen and the palette show them: "1 / J"."""
    return " / ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))


def first_key_label(app: App, keys: str) -> str:
    """The one key the footer shows for a binding with several."""
    return app.get_key_display(Binding(keys.split(",")[0].strip(), ""))


def key_actions(app: App, scope: str) -> dict[str, Action]:
    """key → action of ``scope`` as the user has bound them, for widgets that read raw keys
    (the keying grid). Cached per keymap: it is asked on every keystroke."""
    keymap = app._keymap
    cached = _KEY_ACTIONS.get(scope)
    if cached is None or cached[0] is not keymap:
        actions = {k.strip(): a for a in REGISTRY.get(scope, []) for k in keys_of(app, a.id, a.key).split(",")}
        cached = _KEY_ACTIONS[scope] = (keymap, actions)
    return cached[1]


_KEY_ACTIONS: dict[str, tuple[object, dict[str, Action]]] = {}


def goto(key: str, mode: str, label: str, help: str) -> Action:
    """A global key that switches screens: a priority binding, so no focused widget (a TextArea
    binds F6 and F7, an Input others) can take it first."""
    return Action(f"app.{mode}", key, f"{NAV_PREFIX}{mode}')", label, help, priority=True)


GLOBAL_BINDINGS = register(
    GLOBAL,
    [
        Action("app.help", "f1", "app.help", "帮助", "显示当前界面的按键说明；再按 F1 关闭", priority=True),
        goto("f2", "dashboard", "概览", "年度工作概览：各二级党组织的数量与进度"),
        goto("f3", "branches", "党支部", "浏览、搜索和编辑党支部"),
        goto("f4", "reports", "述职报告", "各党支部述职报告的审阅队列：等谁、等了多久"),
        goto("f5", "meeting", "评议会", "述职评议会：设置、向导、录票、核对、公布"),
        goto("f6", "grading", "评定", "按二级党组织评定等次：综合得分、建议、名额、定档"),
        goto("f7", "rectification", "整改", "整改任务清单：新增、勾选、销号，逾期提醒和完成率"),
        goto("f8", "reporting", "报送", "各二级党组织的进度、统计表、工作情况报告与报送"),
        goto("f9", "campaign", "年度设置", "日期、名额、计分与指标；导入名册；新年度"),
        goto("f10", "problems", "错误", "列出有错误、未能读取的记录"),
        Action("app.sync", "ctrl+y", "app.sync", "同步",
               "与远程档案同步：获取、合并、推送；冲突时逐项选择。在同步界面再按一次即重新同步", show=False),
        Action("app.reload", "ctrl+r", "app.reload", "重读", "重新读取档案（其他用户的修改）", show=False),
        Action("app.palette", "ctrl+p", "app.command_palette", "命令", "按名称查找并执行命令", show=False),
        Action("app.quit", "ctrl+q", "app.quit", "退出", "退出 shuping（所有已保存的修改都已提交）", show=False, priority=True),
    ],
)


def chinese_textual_keys() -> None:
    """Textual's own widgets name a few shown keys in English (the open Select list's footer
    says "Dismiss menu"); give them Chinese names before any widget is made."""
    from textual.widgets._select import SelectOverlay

    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "收起列表")]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()  # Textual merges BINDINGS at class creation


chinese_textual_keys()
