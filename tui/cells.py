"""Text in a table cell narrower than the text: cut in the middle, so names that differ only
near their end (“硕士研究生第一党支部”, “硕士研究生第二党支部”) stay told apart."""

from __future__ import annotations

from rich.cells import cell_len

SUFFIX = "党支部"  # every branch name ends so, and the column says it


def fit_name(name: str, width: int) -> str:
    """``name`` within ``width`` cells: whole if it fits; else without the common 党支部 ending;
    else its head and its tail (the distinguishing part, given the larger share) around “…”."""
    if cell_len(name) <= width:
        return name
    if name.endswith(SUFFIX) and len(name) > len(SUFFIX):
        name = name[: -len(SUFFIX)]
        if cell_len(name) <= width:
            return name
    room = width - 1  # the “…”
    tail = ""
    for char in reversed(name):
        if cell_len(char + tail) > (room + 1) // 2 + 1:
            break
        tail = char + tail
    head = ""
    for char in name:
        if cell_len(head + char) + cell_len(tail) > room:
            break
        head += char
    return f"{head}…{tail}"


__all__ = ["fit_name"]
