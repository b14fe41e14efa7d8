"""字数 as Microsoft Word counts it for Chinese text.

Each CJK character and each full-width or CJK punctuation mark counts one; every other run
of visible characters between spaces or CJK characters (``COVID-19``, ``76%``, ``hello``)
counts as one word.
"""

from __future__ import annotations


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2FA1F
        or 0xF900 <= code <= 0xFAFF
        or 0x3001 <= code <= 0x303F  # CJK punctuation: 、。「」《》
        or 0xFF01 <= code <= 0xFFEF  # full-width forms: ，！？（）：；
        or 0x2018 <= code <= 0x201F  # curly quotes used in Chinese text
        or code in (0x2014, 0x2026, 0x00B7)  # —— …… ·
    )


def word_count(text: str) -> int:
    count = 0
    in_word = False
    for ch in text:
        if is_cjk(ch):
            count += 1
            in_word = False
        elif ch.isspace():
            in_word = False
        elif not in_word:
            count += 1
            in_word = True
    return count
