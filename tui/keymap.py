"""The user's keymap: a TOML file that rebinds actions by their id (F1 lists every id).

    "keying.mark_good" = "1,j"
    "app.sync" = "ctrl+y"

It lives at ``$SHUPING_KEYMAP``, else ``$XDG_CONFIG_HOME/shuping/keymap.toml`` (``~/.config`` when
unset). Textual applies it (``App.set_keymap`` and ``Binding(id=...)``); this module only reads and
checks it. A broken file never stops the app: every problem is named in one notification, with the
file and line, and everything else applies.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.keys import KEY_NAME_REPLACEMENTS, Keys, format_key, key_to_character

from tui.keys import GLOBAL, REGISTRY, Action

if TYPE_CHECKING:
    from textual.app import App

HOW = '应写成 "编号" = "按键"，如 "keying.mark_good" = "1,j"'
MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
NAMED_KEYS = {k.value.rpartition("+")[2] for k in Keys}


@dataclass(frozen=True)
class Entry:
    id: str
    keys: str  # Textual key names, comma-separated
    line: int


def keymap_path() -> tuple[Path, bool]:
    """The keymap file, and whether the user named it explicitly ($SHUPING_KEYMAP)."""
    explicit = os.environ.get("SHUPING_KEYMAP")
    if explicit:
        return Path(explicit).expanduser(), True
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "shuping" / "keymap.toml", False


def read_keymap(text: str) -> tuple[list[Entry], list[tuple[int, str]]]:
    """The entries of a keymap file and the problems of its lines ((line, message)).

    Read line by line, each line as TOML, so that one bad line costs only that line (and the
    line numbers come for free). ``[keying]`` tables and dotted keys are flattened into ids."""
    entries: list[Entry] = []
    problems: list[tuple[int, str]] = []
    table: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            data = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            problems.append((number, f"这一行不是有效的 TOML，{HOW}"))
            continue
        if line.startswith("["):
            table = _path(data)
            continue
        for path, value in _flatten(data):
            binding_id = ".".join(table + path)
            keys = _keys(value)
            if keys is None:
                problems.append((number, f"{binding_id} 的按键应是一个字符串，{HOW}"))
            elif binding_id in seen:
                problems.append((number, f"{binding_id} 重复设置，以第一次为准"))
            else:
                seen.add(binding_id)
                entries.append(Entry(binding_id, keys, number))
    return entries, problems


def _path(data: dict) -> list[str]:
    path = []
    while isinstance(data, dict) and len(data) == 1:
        name, data = next(iter(data.items()))
        path.append(name)
    return path


def _flatten(data: dict, prefix: tuple[str, ...] = ()) -> list[tuple[list[str], object]]:
    out: list[tuple[list[str], object]] = []
    for name, value in data.items():
        if isinstance(value, dict):
            out += _flatten(value, (*prefix, name))
        else:
            out.append(([*prefix, name], value))
    return out


def _keys(value: object) -> str | None:
    """"1, J" or ["1", "j"] → "1,j"; None when it is no string."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = ",".join(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return ",".join(_key(k.strip()) for k in value.split(","))


def _key(key: str) -> str:
    """Textual's spelling: names lowercase (Ctrl+S → ctrl+s), a letter or digit as it is, other
    characters by name (/ → slash), as Textual names the keys it receives."""
    if key == "+" or key.endswith("++"):
        mods, base = key[:-2].split("+") if key != "+" else [], "+"
    else:
        *mods, base = key.split("+")
    mods = [m.lower() for m in mods]
    if mods and len(base) == 1 and base.isalpha():
        base = base.lower()  # ctrl+S is ctrl+s; only a lone capital means shift
    elif len(base) == 1 and not base.isalnum():
        name = unicodedata.name(base, base).lower().replace("-", "_").replace(" ", "_")
        base = KEY_NAME_REPLACEMENTS.get(name, name)
    elif len(base) > 1:
        base = base.lower()
    return "+".join([*mods, base])


def unknown_key(keys: str) -> str:
    """The first key Textual would never send, or ""."""
    for key in keys.split(","):
        *mods, base = key.split("+")
        known = len(base) == 1 or base in NAMED_KEYS or key_to_character(base) or format_key(base) != base
        if not base or not known or any(m not in MODIFIERS for m in mods):
            return key or "（空）"
    return ""


def check_keymap(entries: list[Entry]) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """The keymap to apply and the problems of entries left out: an id no action has, a key no
    terminal sends, or a key another action of the same screen (or a global one) already has.
    Of two entries that clash, the later line is left out. Needs every screen's actions registered."""
    problems: list[tuple[int, str]] = []
    known = {a.id: a for actions in REGISTRY.values() for a in actions}
    accepted: dict[str, Entry] = {}
    for entry in entries:
        if entry.id not in known:
            problems.append((entry.line, f"没有编号为 {entry.id} 的操作（按 F1 可查看每个操作的编号）"))
        elif bad := unknown_key(entry.keys):
            problems.append((entry.line, f"{entry.id} 的按键 {bad} 无法识别"))
        else:
            accepted[entry.id] = entry
    while clash := _first_clash(accepted):
        entry, key, other = clash
        del accepted[entry.id]
        problems.append((entry.line, f"{entry.id} 的按键 {key} 已由 {other.id}（{other.label}）使用，未生效"))
    return {e.id: e.keys for e in accepted.values()}, sorted(problems)


def _first_clash(accepted: dict[str, Entry]) -> tuple[Entry, str, Action] | None:
    """(the entry to leave out, its key, the action that key also belongs to), or None."""
    globals_ = REGISTRY.get(GLOBAL, [])
    clashes: list[tuple[Entry, str, Action]] = []
    for scope, actions in REGISTRY.items():
        owner: dict[str, Action] = {}
        for action in actions if scope == GLOBAL else [*globals_, *actions]:
            entry = accepted.get(action.id)
            for key in (entry.keys if entry else action.key).split(","):
                first = owner.setdefault(key, action)
                if first is not action:
                    pairs = ((action, first), (first, action))
                    clashes += [(accepted[a.id], key, b) for a, b in pairs if a.id in accepted]
    return max(clashes, key=lambda c: c[0].line, default=None)


def load_keymap(app: App) -> None:
    """Apply the user's keymap at start-up. The entries are applied at once; they are checked
    once every screen's actions are known, which takes importing every screen: that runs in a
    thread, after the first frame, and only when there is a keymap file."""
    path, explicit = keymap_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            app.notify(f"找不到按键设置文件 {path}，使用默认按键。", title="按键设置", severity="warning", timeout=12)
        return
    except (OSError, UnicodeDecodeError) as e:
        app.notify(f"{path}：无法读取（{e}），使用默认按键。", title="按键设置", severity="warning", timeout=12)
        return
    entries, problems = read_keymap(text)
    if not entries and not problems:
        return
    _apply(app, {e.id: e.keys for e in entries})
    app.run_worker(lambda: _check_in_thread(app, path, entries, problems), thread=True,
                   group="keymap", exit_on_error=False)


def _check_in_thread(app: App, path: Path, entries: list[Entry], problems: list[tuple[int, str]]) -> None:
    import importlib
    import pkgutil

    import tui.screens

    for module in pkgutil.iter_modules(tui.screens.__path__):  # the app imports most screens only when shown
        importlib.import_module(f"tui.screens.{module.name}")
    keymap, more = check_keymap(entries)
    problems = sorted(problems + more)
    if problems:
        app.call_from_thread(_report, app, path, keymap, problems)


def _report(app: App, path: Path, keymap: dict[str, str], problems: list[tuple[int, str]]) -> None:
    _apply(app, keymap)
    lines = "\n".join(f"{path}:{line}: {message}" for line, message in problems)
    app.notify(f"{lines}\n其余按键设置已生效。", title="按键设置有误", severity="warning", timeout=30)


def _apply(app: App, keymap: dict[str, str]) -> None:
    app.set_keymap(keymap)
    # the footer finds the palette's key by this name
    palette = next((a for a in REGISTRY.get(GLOBAL, []) if a.action == "app.command_palette"), None)
    if palette:
        app.COMMAND_PALETTE_BINDING = keymap.get(palette.id, palette.key).split(",")[0]  # type: ignore[misc]
