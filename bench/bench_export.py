"""Exporting the university roll-up of 附件2 for 60 organisations and 3,000 branches.

Run: .venv/bin/python bench/bench_export.py
Target: `shuping export stats -o FILE.xlsx` ≤ 1.5 s end to end (process start included).
Baselines measured in the same run: openpyxl writing a plain sheet of the same size, and
reading the same records' TOML with tomllib alone (the floor for any export from records).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from bench.generate import make_archive  # noqa: E402
from schema.stats import COLUMNS  # noqa: E402
from store.sendup import statistics  # noqa: E402
from store.snapshot import load  # noqa: E402
from store.stats_export import write_xlsx  # noqa: E402

TARGET = 1.5
ORGS, BRANCHES = 60, 3000


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_sheet() -> None:
    wb = Workbook()
    ws = wb.active
    for r in range(ORGS + 2):
        ws.append([f"第{r}学院党委"] + list(range(len(COLUMNS) - 1)))
    wb.save(io.BytesIO())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "archive"
        print(f"生成基准档案：{ORGS} 个二级党组织，{BRANCHES} 个党支部 …")
        archive = make_archive(root, ORGS, BRANCHES)
        out = Path(folder) / "roll-up.xlsx"

        def in_process() -> None:
            snap = load(archive)
            write_xlsx(statistics(snap), out)

        def read_toml() -> None:
            for path in (root / "orgs").rglob("*.toml"):
                tomllib.loads(path.read_text())

        def cli() -> None:
            subprocess.run(
                [sys.executable, "-m", "tui.cli", "export", "stats", "-o", str(out), "--archive", str(root)],
                check=True, capture_output=True, cwd=Path(__file__).resolve().parent.parent,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )

        table = statistics(load(archive))
        xlsx_only = best(lambda: write_xlsx(table, out))

        figures = [
            ("export stats, CLI end to end", best(cli, 3)),
            ("export stats, in process (load + figures + xlsx)", best(in_process)),
        ]
        baselines = [
            ("openpyxl plain sheet, same size", best(plain_sheet)),
            ("tomllib reading the same records", best(read_toml)),
        ]
        width = max(len(name) for name, _ in figures + baselines)
        for name, seconds in baselines:
            print(f"baseline  {name:<{width}}  {seconds * 1000:8.1f} ms")
        floor = baselines[1][1]
        plain = baselines[0][1]
        print(f"measured  {'styled roll-up sheet alone':<{width}}  {xlsx_only * 1000:8.1f} ms  "
              f"({xlsx_only / plain:4.1f}× plain sheet)")
        for name, seconds in figures:
            verdict = "OK" if seconds <= TARGET else "SLOW"
            print(f"measured  {name:<{width}}  {seconds * 1000:8.1f} ms  ({seconds / floor:4.1f}× toml floor; "
                  f"target ≤ {TARGET * 1000:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
