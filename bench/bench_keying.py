"""Ballot keying speed on a 3,000-branch archive.

    .venv/bin/python bench/bench_keying.py [--ballots 30] [--secretaries 30] [--gap 0.03]

Measured inside the app: for every mark key, the time from the key event's creation to the
moment after the screen refresh that shows the cell (``call_after_refresh``); for every
ballot, the time from Enter to its commit being done by the background writer. Keys are sent
the way the terminal driver sends them, one every ``gap`` seconds (a fast operator), not in a
burst. Baseline in the same run: a bare Textual app whose only widget updates its text on a
key, measured the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Static  # noqa: E402

from bench.generate import make_archive  # noqa: E402
from schema.records import Attendance, BallotCounts, Meeting  # noqa: E402
from store import layout  # noqa: E402
from store.archive import Archive, Change  # noqa: E402
from store.tomlio import render  # noqa: E402

KEY_TARGET = 0.016
COMMIT_TARGET = 0.050


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def send(app, key: str) -> None:
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


class Bare(App):
    """The baseline: one Static that shows the last key."""

    def compose(self) -> ComposeResult:
        self.label = Static("")
        self.timings: list[float] = []
        yield self.label

    def on_key(self, event: events.Key) -> None:
        self.label.update(f"键 {event.key} · {len(self.timings)}")
        start = event.time
        self.call_after_refresh(lambda: self.timings.append(time.monotonic() - start))


async def run_bare(keys: list[str], gap: float, size) -> list[float]:
    app = Bare()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in keys:
            await send(app, key)
            await asyncio.sleep(gap)
        await pilot.pause(0.2)
    return app.timings


async def run_keying(archive: Archive, org: str, ballots: int, secretaries: int, gap: float, size) -> tuple[list[float], list[float], float]:
    from tui.app import ShupingApp
    from tui.screens.keying import KeyingScreen

    app = ShupingApp(archive)
    rng = random.Random(1)
    async with app.run_test(size=size) as pilot:
        t0 = time.monotonic()
        await pilot.pause()
        load_seconds = time.monotonic() - t0
        app.push_screen(KeyingScreen(org, 1))
        await pilot.pause()
        screen = app.screen
        while not screen.sheet.loaded:  # the committed ballots are read in a worker: start when they are shown
            await pilot.pause(0.01)
        for _ in range(ballots):
            for _ in range(secretaries):
                await send(app, rng.choice("12340"))
                await asyncio.sleep(gap)
            await send(app, "enter")
            await asyncio.sleep(gap)
        deadline = time.monotonic() + 60
        while len(screen.enter_to_commit) < ballots and time.monotonic() < deadline:
            await pilot.pause(0.05)
        return screen.grid.timings, screen.enter_to_commit, load_seconds


def naive_commits(archive: Archive, n: int) -> list[float]:
    """Baseline for Enter → committed: write one small file and `git add` + `git commit -- path`
    from a plain subprocess, the straightforward way, on the same archive."""
    import subprocess

    out = []
    for i in range(n):
        rel = f"orgs/o001/2020/baseline-{i}.toml"
        start = time.monotonic()
        (archive.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (archive.root / rel).write_text(f"n = {i}\n")
        subprocess.run(["git", "add", "--", rel], cwd=archive.root, check=True)
        subprocess.run(["git", "commit", "-q", "--no-verify", "-m", "基准", "--", rel], cwd=archive.root, check=True)
        out.append(time.monotonic() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=30)
    parser.add_argument("--secretaries", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.03, help="seconds between keys")
    parser.add_argument("--branches", type=int, default=3000)
    args = parser.parse_args()
    size = (120, 40)

    with tempfile.TemporaryDirectory() as tmp:
        t = time.monotonic()
        archive = make_archive(Path(tmp) / "archive", orgs=max(1, args.branches // 50), branches=args.branches)
        print(f"生成 {args.branches} 个党支部的档案：{time.monotonic() - t:.1f} s")
        org = "o000"
        order = sorted(p.stem for p in (archive.root / f"orgs/{org}/branches").glob("*.toml"))[: args.secretaries]
        meeting = Meeting(org=org, year=2020, order=order, double_entry=True,
                          attendance=[Attendance(group="委员", due=60, present=60)],
                          ballots=BallotCounts(issued=args.ballots, collected=args.ballots))
        archive.commit([Change(layout.meeting_path(org, 2020), render(meeting).encode(), None)], "基准：评议会设置")

        keys_per_run = args.ballots * (args.secretaries + 1)
        bare = asyncio.run(run_bare([random.Random(2).choice("12340") for _ in range(keys_per_run)], args.gap, size))
        keys, commits, _ = asyncio.run(run_keying(archive, org, args.ballots, args.secretaries, args.gap, size))
        naive = naive_commits(archive, min(args.ballots, 20))

    print(f"界面 {size[0]}×{size[1]}，{args.ballots} 张票 × {args.secretaries} 位书记，按键间隔 {args.gap * 1000:.0f} ms")
    print(f"{'指标':<28}{'shuping':>10}{'基线':>10}{'比值':>8}{'目标':>10}")
    for label, p in (("每键处理到屏幕更新 p50", 50), ("每键处理到屏幕更新 p99", 99)):
        ours, base = pct(keys, p), pct(bare, p)
        target = f"≤{KEY_TARGET * 1000:.0f} ms" if p == 99 else ""
        print(f"{label:<24}{ours * 1000:>10.1f} ms{base * 1000:>7.1f} ms{ours / base:>8.1f}{target:>10}")
    for label, p in (("Enter 到提交完成 p50", 50), ("Enter 到提交完成 p99", 99)):
        ours, base = pct(commits, p), pct(naive, p)
        target = f"≤{COMMIT_TARGET * 1000:.0f} ms" if p == 99 else ""
        print(f"{label:<24}{ours * 1000:>10.1f} ms{base * 1000:>7.1f} ms{ours / base:>8.1f}{target:>10}")
    print(f"（按键样本 {len(keys)}，基线样本 {len(bare)}，提交样本 {len(commits)}；每键平均 {statistics.mean(keys) * 1000:.1f} ms）")
    print("按键基线：只有一个 Static、按键即更新文字的 Textual 应用；提交基线：同一档案上 git add + git commit -- 路径。")


if __name__ == "__main__":
    main()
