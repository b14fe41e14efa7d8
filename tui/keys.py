"""One registry of actions: footer bindings, the help screen and the command palette all
come from here, so a key is declared once.

Keys are chosen to survive SSH terminals: F-keys, ctrl+letter, plain letters, arrows.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


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


def nav_markup(current_mode: str) -> str:
    """The screen bar above the footer: F2概览 F3党支部 … with the current screen highlighted.

    The F-keys that switch screens live here rather than in the footer, which keeps the
    footer for the keys of the screen in front and lets everything fit in 80 columns."""
    parts = []
    for action in sorted(REGISTRY.get(GLOBAL, []), key=lambda a: fkey_number(a.key)):
        if not action.action.startswith(NAV_PREFIX):
            continue
        mode = action.action[len(NAV_PREFIX) : -2]
        text = f"{action.key.upper()}[b]{action.label}[/b]"
        parts.append(f"[reverse]{text}[/reverse]" if mode == current_mode else text)
    return " ".join(parts)


def fkey_number(key: str) -> int:
    return int(key[1:]) if key.startswith("f") and key[1:].isdigit() else 99


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
