"""Who may change which records: the one rule the app and the central server's hook apply.

``rules`` is the parsed ``access.toml`` (a plain dict): ``operators`` maps an operator to
the organisation ids they may change, or to "all" (the organisation department, which
alone may change anything outside ``orgs/``: campaigns, settings, access.toml itself).
No access.toml (``rules is None``) means everyone may change everything: a fresh archive.

Standard library only, no imports from shuping: `shuping server-hook` copies this module
into the pre-receive hook so the server enforces the same rule without shuping installed.
"""

from __future__ import annotations

ALL = "all"


def operator_for_login(rules: dict | None, login: str) -> str:
    """The operator a server login pushes as (``[logins]`` in access.toml, else the login)."""
    return ((rules or {}).get("logins") or {}).get(login, login)


def refusal(rules: dict | None, operator: str, paths, org_of, org_name=None) -> str | None:
    """None when ``operator`` may change every path; else why not, in Chinese.

    ``org_of(path)`` gives the organisation id a path belongs to (None outside ``orgs/``);
    ``org_name(id)``, if given, the organisation's name for the message."""
    if rules is None:
        return None
    granted = (rules.get("operators") or {}).get(operator)
    if granted == ALL:
        return None
    if not isinstance(granted, list):
        return (f"操作人“{operator}”未在 access.toml 中登记，不能修改档案。"
                f"请组织部在 access.toml 的 [operators] 中登记其可修改的二级党组织。")
    for path in paths:
        org = org_of(path)
        if org is None:
            return (f"操作人“{operator}”无权修改 {path}：年度设置、档案设置和 access.toml "
                    f"只有组织部（access.toml 中为 \"all\" 的操作人）可以修改。")
        if org not in granted:
            allowed = "、".join(granted) or "无"
            name = org_name(org) if org_name else ""
            return (f"操作人“{operator}”无权修改二级党组织“{org}”{f'（{name}）' if name else ''}的记录（{path}）；"
                    f"其可修改的二级党组织：{allowed}。")
    return None
