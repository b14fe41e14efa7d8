"""Store benchmark on a generated archive of 3,000 branches and 20,000 commits.

    .venv/bin/python bench/bench_store.py [--quick]

Every figure is printed next to a baseline measured in the same run, with the ratio and
the target. The generated archives are cached under bench/out/ (gitignored); each run
writes into a fresh copy. ``--quick`` uses fewer repetitions.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHUPING_TODAY", "2021-01-20")

BRANCHES = 3000
COMMITS = 20000
SMALL_COMMITS = 100


def pad(text: str, width: int) -> str:
    """Left-justify to ``width`` terminal columns (CJK characters take two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def row(name: str, value: float, base_name: str, base: float, target: str, ok: bool) -> None:
    ratio = value / base if base else float("inf")
    print(f"{pad(name, 40)} {value:8.1f} ms   {pad(base_name, 24)} {base:8.1f} ms   ×{ratio:5.2f}   "
          f"目标 {pad(target, 14)} {'达到' if ok else '未达到'}")


# ---------------------------------------------------------------- first frame (child processes)

def child_first_frame(kind: str, path: str) -> None:
    """Run in a child: print the wall-clock time of the first frame (and, for shuping, of the
    dashboard filled with data), then exit."""
    if kind == "bare":
        from textual.app import App
        from textual.widgets import Footer, Static

        class Bare(App):
            def compose(self):
                yield Static("hello")
                yield Footer()

            def on_mount(self) -> None:
                self.call_after_refresh(self.done)

            def done(self) -> None:
                print("frame", time.time(), flush=True)
                self.exit()

        Bare().run(headless=True, size=(80, 24))
        return

    from functools import partial

    from tui.app import ShupingApp
    from tui.cli_common import Context, clock, start_service
    from tui.screens.dashboard import DashboardScreen

    shown = DashboardScreen.on_mount

    def on_mount(screen) -> None:
        shown(screen)
        screen.call_after_refresh(lambda: print("frame", time.time(), flush=True))

    def watch_snapshot(app, snapshot) -> None:  # the app's reactive snapshot, first filled
        if snapshot is not None:
            app.call_after_refresh(lambda: (print("data", time.time(), flush=True), app.exit()))

    DashboardScreen.on_mount = on_mount
    ShupingApp.watch_snapshot = watch_snapshot
    # what `shuping --archive PATH` does, headless: the screen opens the service in the background
    ShupingApp(partial(start_service, Context(path), clock())).run(headless=True, size=(80, 24))


def first_frame(kind: str, path: Path) -> dict[str, float]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, timeout=120
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    marks = dict(line.split() for line in out.stdout.splitlines() if line.startswith(("frame", "data")))
    return {k: (float(v) - started) * 1000 for k, v in marks.items()}


# ---------------------------------------------------------------- save + commit

def bump(text: str, n: int) -> str:
    import re

    return re.sub(r"(?m)^members = \d+", f"members = {n}", text, count=1)


def save_vs_git(paths: list[Path], rounds: int) -> list[tuple[float, float]]:
    """Median ms of Archive.save and of a plain `git add` + `git commit` pair in each archive.

    Interleaved (save, pair, next archive, …) so the machine's load weighs on all alike."""
    from store.archive import Archive
    from store.snapshot import load

    runs = []
    for path in paths:
        archive = Archive.open(path, "基准")
        snap = load(archive)
        ids = random.Random(7).sample(sorted(snap.branches), 2 * rounds)
        runs.append((path, archive, snap, ids, [], []))
    for n in range(rounds):
        for path, archive, snap, ids, saves, pairs in runs:
            stored = snap.branches[ids[2 * n]]
            record = stored.record.model_copy(update={"members": 900 + n})
            t = time.perf_counter()
            archive.save(stored, record, f"修改党支部：{record.name}（党员人数 → {900 + n}）")
            saves.append(time.perf_counter() - t)

            other = snap.branches[ids[2 * n + 1]].path
            file = path / other
            file.write_text(bump(file.read_text(), 700 + n))
            t = time.perf_counter()
            subprocess.run(["git", "add", other], cwd=path, check=True)
            subprocess.run(["git", "commit", "-q", "-m", f"plain {n}"], cwd=path, check=True)
            pairs.append(time.perf_counter() - t)
    return [(statistics.median(saves) * 1000, statistics.median(pairs) * 1000) for *_, saves, pairs in runs]


# ---------------------------------------------------------------- history

def history_times(path: Path, rounds: int) -> tuple[float, float, float]:
    """Median ms of Archive.history(record) without and with the commit-graph, and of plain git log."""
    from store.archive import Archive

    archive = Archive.open(path, "基准")
    records = [p.relative_to(path).as_posix() for p in sorted(path.glob("orgs/*/branches/*.toml"))]
    picks = random.Random(3).sample(records, rounds)

    def timed(f) -> float:
        out = []
        for rel in picks:
            t = time.perf_counter()
            f(rel)
            out.append(time.perf_counter() - t)
        return statistics.median(out) * 1000

    graph = path / ".git" / "objects" / "info"
    for f in list(graph.glob("commit-graph")) + list(graph.glob("commit-graphs/*")):
        f.unlink()
    without = timed(archive.history)
    t = time.perf_counter()
    archive.maintain()  # what the app runs in the background at start-up
    maintain_ms = (time.perf_counter() - t) * 1000
    with_graph = timed(archive.history)
    plain = timed(lambda rel: subprocess.run(
        ["git", "log", "-n200", "--format=%H %an %aI %s", "--", rel], cwd=path, capture_output=True, check=True))
    print(f"(commit-graph written in {maintain_ms:.0f} ms; history without it {without:.1f} ms)")
    return with_graph, plain, without


# ---------------------------------------------------------------- branch browser filter

async def filter_keystrokes(path: Path | None, query: str) -> tuple[float, float]:
    """Median and worst ms from a keystroke in the branch browser's search box to the frame
    showing the filtered table (``path=None``: a bare app refilling a table with one page)."""
    from textual.app import App
    from textual.widgets import DataTable, Input

    if path is None:
        from rich.text import Text

        from tui.screens.branches import PAGE

        rows = [tuple(Text(c) for c in (f"b{n:05d}", f"第{n}学院第{n}党支部", "教工", "纳入", "王小明"))
                for n in range(PAGE)]

        class Bare(App):
            """Textual's floor: refill a table with one page of rows on every keystroke, no filtering."""

            def compose(self):
                yield Input(id="search")
                yield DataTable(cursor_type="row")

            def on_mount(self) -> None:
                self.query_one(DataTable).add_columns("id", "党支部", "类型", "范围", "书记")

            def on_input_changed(self) -> None:
                table = self.query_one(DataTable)
                table.clear()
                for r in rows:
                    table.add_row(*r)

        app = Bare()
    else:
        from store.archive import Archive
        from tui.app import ShupingApp

        app = ShupingApp(Archive.open(path, "基准"))
    frames: list[float] = []
    times = []
    async with app.run_test(size=(80, 24)) as pilot:
        if path is not None:
            await pilot.press("f3")
            await pilot.pause()
        screen = app.screen
        screen.query_one("#search", Input).focus()
        # stamp the first frame after each change of the search text
        screen.watch(screen.query_one("#search", Input), "value",
                     lambda _: screen.call_after_refresh(lambda: frames.append(time.perf_counter())), init=False)
        await pilot.pause()
        for key in [*query, *["backspace"] * len(query)] * 2:
            frames.clear()
            t = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            if frames:
                times.append(frames[0] - t)
    return statistics.median(times) * 1000, max(times) * 1000


# ---------------------------------------------------------------- main

def main(quick: bool) -> None:
    from bench.generate import cached_archive, fresh_copy

    t = time.perf_counter()
    big_cached = cached_archive(BRANCHES, COMMITS)
    small_cached = cached_archive(BRANCHES, SMALL_COMMITS)
    big = fresh_copy(big_cached, "big")
    small = fresh_copy(small_cached, "small")
    print(f"档案：{BRANCHES} 个党支部，{COMMITS} 次提交（准备 {time.perf_counter() - t:.1f} s，缓存在 bench/out/）\n")

    # load
    from store.archive import Archive
    from store.snapshot import load

    archive = Archive.open(big, "基准")
    files = [p for p in big.glob("orgs/**/*.toml")]
    loads, reads = [], []
    for _ in range(2 if quick else 3):
        t = time.perf_counter()
        snap = load(archive)
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        for f in files:
            f.read_bytes()
        reads.append(time.perf_counter() - t)
    assert len(snap.branches) == BRANCHES and not snap.problems
    load_ms, read_ms = statistics.median(loads) * 1000, statistics.median(reads) * 1000
    print(f"{pad('加载档案 store.snapshot.load', 40)} {load_ms:8.1f} ms   {pad('只读取文件字节', 24)} {read_ms:8.1f} ms   "
          f"×{load_ms / read_ms:5.2f}   （界面在后台读取，见下行）")

    # first frame
    runs = 2 if quick else 3
    bare, ours, data = [], [], []
    for _ in range(runs):
        bare.append(first_frame("bare", big)["frame"])
        marks = first_frame("shuping", big)
        ours.append(marks["frame"])
        data.append(marks["data"])
    bare_ms, ours_ms, data_ms = (statistics.median(x) for x in (bare, ours, data))
    row("首帧：概览（进程启动起）", ours_ms, "空白 Textual 应用首帧", bare_ms, "≤ 2× 空白应用", ours_ms <= 2 * bare_ms)
    print(f"{pad('  概览数据填满（进程启动起）', 40)} {data_ms:8.1f} ms")

    # save + commit
    (small_save, small_pair), (big_save, big_pair) = save_vs_git([small, big], 15 if quick else 40)
    row(f"保存+提交 Archive.save（{SMALL_COMMITS} 次提交）", small_save, "git add + git commit", small_pair, "≤ 1× git",
        small_save <= small_pair)
    row(f"保存+提交 Archive.save（{COMMITS} 次提交）", big_save, "git add + git commit", big_pair, "≤ 1× git",
        big_save <= big_pair)
    row(f"  {COMMITS} 次提交时的保存", big_save, f"{SMALL_COMMITS} 次提交时的保存", small_save, "不慢于 100 次时",
        big_save <= small_save * 1.1)  # 10 %: measurement noise on a shared machine

    # history
    with_graph, plain, _ = history_times(big, 5 if quick else 15)
    row("单条记录历史 Archive.history", with_graph, "git log -- 路径", plain, "≤ 150 ms", with_graph <= 150)

    # branch browser
    browse, browse_max = asyncio.run(filter_keystrokes(big, "第12学院 王"))
    bare_key, _ = asyncio.run(filter_keystrokes(None, "第12学院 王"))
    row("党支部浏览：按键到画面（3000 个中筛选）", browse, "空白应用：按键重填一页表格", bare_key, "≤ 50 ms", browse <= 50)
    print(f"{pad('  最慢一次按键', 40)} {browse_max:8.1f} ms")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child_first_frame(sys.argv[2], sys.argv[3])
    else:
        main(quick="--quick" in sys.argv)
