"""Roster import of 3,000 rows: target ≤ 2 s, against openpyxl merely reading the same file.

    .venv/bin/python bench/bench_roster.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402

from schema.kinds import BranchKind  # noqa: E402
from schema.roster import COLUMNS  # noqa: E402
from store.archive import Archive  # noqa: E402
from store.demo.names import person  # noqa: E402
from store.roster import import_roster, read_roster  # noqa: E402

TARGET = 2.0
REPEAT = 3
TODAY = date(2021, 1, 20)


def write_roster(path: Path, rows: int, seed: int = 1, changed: int = 0) -> None:
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("名册")
    ws.append(["某大学党支部名册"])
    ws.append([c.header for c in COLUMNS])
    orgs = max(1, rows // 50)
    for n in range(rows):
        o = n % orgs
        secretary = person(rng)
        if n < changed:
            secretary = "新任" + secretary
        ws.append([
            f"第{o + 1}学院党委", "二级党委", f"第{o + 1}学院第{n // orgs + 1}党支部", rng.choice(list(BranchKind)).value,
            date(rng.randint(2000, 2019), rng.randint(1, 12), rng.randint(1, 28)), secretary, rng.randint(5, 60),
            f"44{n:08d}", f"{rng.randint(2017, 2020)}年{rng.randint(1, 12)}月1日", rng.choice((3, 5, 7)),
        ])
    book.save(path)


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def baseline_read(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = sum(1 for row in book.active.iter_rows(values_only=True) for _ in row)
    book.close()
    return cells


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster, update = tmp / "roster.xlsx", tmp / "update.xlsx"
        write_roster(roster, rows)
        write_roster(update, rows, changed=10)
        base = min(timed(lambda: baseline_read(roster))[0] for _ in range(REPEAT))
        read = min(timed(lambda: read_roster(roster))[0] for _ in range(REPEAT))
        first, again, updated = [], [], []
        for n in range(REPEAT):
            archive = Archive.init(tmp / f"archive{n}", "基准测试大学", "基准")
            first.append(timed(lambda: import_roster(archive, roster, today=TODAY))[0])
            again.append(timed(lambda: import_roster(archive, roster, today=TODAY))[0])
            updated.append(timed(lambda: import_roster(archive, update, today=TODAY))[0])
        figures = [
            ("读取并校验（不写入）", read),
            (f"首次导入（{rows} 个党支部，一次提交）", min(first)),
            ("再次导入（无变化）", min(again)),
            ("更新 10 个书记（一次提交）", min(updated)),
        ]
        print(f"党支部名册导入，{rows} 行，各取 {REPEAT} 次中最快；基线 = openpyxl 只读打开并遍历同一文件：{base:.2f} s；"
              f"目标 ≤ {TARGET:g} s")
        for label, seconds in figures:
            verdict = "达标" if seconds <= TARGET else "未达标"
            print(f"  {label:<28} {seconds:6.2f} s   {seconds / base:5.1f} × 基线   {verdict}")

if __name__ == "__main__":
    main()
