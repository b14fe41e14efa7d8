"""The cap on “好”: at most a fraction of the branches graded, rounded as configured.

The notice says “不超过总数30%” without saying how to round; “不超过” reads as floor, the
default. Decimal arithmetic so that 30% × 10 is exactly 3, not 3.0000000000000004.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from schema.kinds import Rounding

_MODES = {Rounding.FLOOR: ROUND_FLOOR, Rounding.ROUND: ROUND_HALF_UP, Rounding.CEIL: ROUND_CEILING}
ROUNDING_LABELS = {Rounding.FLOOR: "向下取整", Rounding.ROUND: "四舍五入", Rounding.CEIL: "向上取整"}


def _product(n: int, fraction: float) -> Decimal:
    return Decimal(str(fraction)) * n


def good_cap(n: int, fraction: float, rounding: Rounding | str = Rounding.FLOOR) -> int:
    """How many of ``n`` branches may be graded 好."""
    if n <= 0:
        return 0
    return int(_product(n, fraction).quantize(Decimal(1), rounding=_MODES[Rounding(rounding)]))


def percent(fraction: float) -> str:
    """0.3 → 30%, 0.255 → 25.5%."""
    value = Decimal(str(fraction)) * 100
    return f"{value.normalize():f}%"


def good_cap_text(n: int, fraction: float, rounding: Rounding | str = Rounding.FLOOR) -> str:
    """e.g. N = 7 时“好”最多 2 个（30% × 7 = 2.1，向下取整）."""
    product = _product(n, fraction).normalize()
    cap = good_cap(n, fraction, rounding)
    shown = f"{product:f}" if product != 0 else "0"
    how = "" if product == cap else f"，{ROUNDING_LABELS[Rounding(rounding)]}"
    return f"N = {n} 时“好”最多 {cap} 个（{percent(fraction)} × {n} = {shown}{how}）"
