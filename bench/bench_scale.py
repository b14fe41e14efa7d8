"""Scale benchmark: a province-size archive (300 organisations, 30,000 branches and their
reviews, 50,000 commits) against the demo archive (9 organisations, ~70 branches).

    .venv/bin/python bench/bench_scale.py [--quick]

Figures: loading every record (cold, and with the tree-id cache), opening the app to a
filled dashboard (a fresh process, as a user starts it), the branch browser's first fill
and its search, and a full `shuping verify`. Each is printed next to a baseline measured in the same run, with the
ratio and the target. The generated archive is kept under bench/out/ (gitignored).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHUPING_TODAY", "2021-01-20")
OUT = ROOT / "bench" / "out"
QUERIES = ["第15学院", "b2", "王", "44000123", "第300学院第5党支部"]


def pad(text: str, width: int) -> str:
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def row(name: str, value: float, base_name: str, base: float, target_ms: float | None) -> None:
    ratio = value / base if base else float("inf")
    target = f"≤ {target_ms:g} ms {'达到' if value <= target_ms else '未达到'}" if target_ms else "（参考）"
    print(f"{pad(name, 30)} {value:8.0f} ms   {pad(base_name, 18)} {base:7.0f} ms   ×{ratio:6.1f}   {target}")


def province() -> Path:
    folder = OUT / "province-30000"
    ready = folder / ".git" / "shuping-bench-ready"
    if not ready.exists():
        from bench.generate_province import generate

        if folder.exists():
            shutil.rmtree(folder)
        t = time.perf_counter()
        print("generating the province archive (once, kept in bench/out/) …", flush=True)
        generate(folder)
        ready.write_text("")
        print(f"  done in {time.perf_counter() - t:.0f} s", flush=True)
    return folder


def demo() -> Path:
    folder = OUT / "demo"
    if not (folder / "shuping.toml").exists():
        from store.demo import build

        shutil.rmtree(folder, ignore_errors=True)
        build(folder)
    return folder


def load_ms(path: Path, cache: bool) -> float:
    from store.archive import Archive
    from store.snapshot import load

    archive = Archive.open(path, "基准")
    t = time.perf_counter()
    load(archive, cache=cache)
    return (time.perf_counter() - t) * 1000


# ---------------------------------------------------------------- the app, in a fresh process


def child(path: str) -> None:
    """What `shuping --archive PATH` does, headless; print when the dashboard shows the data."""
    from tui.app import ShupingApp
    from tui.cli import main as cli
    from tui.screens.dashboard import DashboardScreen

    refresh, run = DashboardScreen.refresh_data, ShupingApp.run

    def refresh_data(screen) -> None:
        refresh(screen)
        if screen.app.snapshot is not None:
            screen.call_after_refresh(lambda: (print("dashboard", time.time(), flush=True), screen.app.exit()))

    DashboardScreen.refresh_data = refresh_data
    ShupingApp.run = lambda app, **kw: run(app, headless=True, size=(80, 24))
    cli(["--archive", path], standalone_mode=False)


def dashboard_ms(path: Path) -> float:
    started = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, timeout=300)
    marks = dict(line.split() for line in out.stdout.splitlines() if line.startswith("dashboard"))
    if "dashboard" not in marks:
        raise SystemExit(out.stderr)
    return (float(marks["dashboard"]) - started) * 1000


async def browser_ms(path: Path) -> tuple[float, list[float]]:
    """ms for F3 to show the branch browser filled, and per search query typed."""
    from textual.widgets import Input

    from store.archive import Archive
    from tui.app import ShupingApp

    app = ShupingApp(Archive.open(path, "基准"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("f3")
        await pilot.pause()
        first = (time.perf_counter() - t) * 1000
        screen = app.screen
        search = screen.query_one("#search", Input)
        frames: list[float] = []  # the first frame after each change of the search text (as bench_store)
        screen.watch(search, "value", lambda _: screen.call_after_refresh(lambda: frames.append(time.perf_counter())),
                     init=False)
        times = []
        for query in QUERIES:
            search.value = ""
            await pilot.pause()
            frames.clear()
            t = time.perf_counter()
            search.value = query  # what typing the query does, then the filter and the redraw
            await pilot.pause()
            times.append((frames[0] - t) * 1000)
    return first, times


def verify_ms(path: Path) -> float:
    from store.archive import Archive
    from store.verify import verify_archive

    archive = Archive.open(path, "基准")
    t = time.perf_counter()
    report = verify_archive(archive)
    if report.findings:
        raise SystemExit(report.summary())
    return (time.perf_counter() - t) * 1000


def main(quick: bool) -> None:
    big, small = province(), demo()
    rounds = 1 if quick else 3
    print(f"省级档案：{big}\n基线（演示档案）：{small}\n")
    cold = statistics.median(load_ms(big, cache=False) for _ in range(rounds))
    load_ms(big, cache=True)  # fill the cache
    warm = statistics.median(load_ms(big, cache=True) for _ in range(rounds))
    row("读取全部记录（无缓存）", cold, "演示档案", load_ms(small, cache=False), None)
    row("读取全部记录（树缓存）", warm, "无缓存", cold, 3000)
    big_open = statistics.median(dashboard_ms(big) for _ in range(rounds))
    small_open = statistics.median(dashboard_ms(small) for _ in range(rounds))
    row("启动到概览（含数据）", big_open, "演示档案", small_open, 3000)
    big_first, big_search = asyncio.run(browser_ms(big))
    small_first, small_search = asyncio.run(browser_ms(small))
    row("F3 党支部列表首次显示", big_first, "演示档案", small_first, None)
    row("搜索（中位数）", statistics.median(big_search), "演示档案", statistics.median(small_search), 100)
    row("搜索（最慢）", max(big_search), "演示档案", max(small_search), 100)
    row("shuping verify（全部检查）", verify_ms(big), "演示档案", verify_ms(small), 5000)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main("--quick" in sys.argv)
