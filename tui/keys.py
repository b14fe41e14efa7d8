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
        Binding(a.key, a.action, a.label, show=a.show, priority=a.priority, id=a.id, tooltip=a.help)
        for a in actions
    ]


GLOBAL = "全局"

GLOBAL_BINDINGS = register(
    GLOBAL,
    [
        Action("app.help", "f1", "app.help", "帮助", "显示当前界面的按键说明"),
        Action("app.dashboard", "f2", "app.goto('dashboard')", "概览", "年度工作概览：各二级党组织的数量与进度"),
        Action("app.branches", "f3", "app.goto('branches')", "党支部", "浏览、搜索和编辑党支部"),
        Action("app.meeting", "f5", "app.goto('meeting')", "评议会", "述职评议会：设置、向导、录票、核对、公布"),
        Action("app.problems", "f10", "app.goto('problems')", "错误", "列出有错误、未能读取的记录"),
        Action("app.reload", "ctrl+r", "app.reload", "重读", "重新读取档案（其他用户的修改）", show=False),
        Action("app.palette", "ctrl+p", "app.command_palette", "命令", "按名称查找并执行命令", show=False),
        Action("app.quit", "ctrl+q", "app.quit", "退出", "退出 shuping（所有已保存的修改都已提交）", priority=True),
    ],
)
