"""Run the real app headless and key random marks into the meeting's first pass, until killed.

    python tests/keying_kill_child.py ARCHIVE SEED

Prints ``ready`` once the keying screen is open, then ``KEY serial column mark`` after each
mark once the status line's draft state says it is on disk (the drafts' writer has nothing
left), and finishes a ballot after every fourth column. Commits are made to wait (a long lock
backoff) so that the parent's held ``.git/index.lock`` keeps them waiting. The parent
(tests/test_keying_faults.py) kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import store.archive  # noqa: E402
from store.archive import Archive  # noqa: E402
from tui.app import ShupingApp  # noqa: E402
from tui.screens.keying import KeyingScreen  # noqa: E402

GRADES = {"1": "好", "2": "较好", "3": "一般", "4": "差", "0": "弃权"}


async def main(root: str, seed: int) -> None:
    store.archive.LOCK_BACKOFF = (0.2,) * 300  # a held lock: commits wait, the keys go on
    app = ShupingApp(Archive.open(root, "录入员"))
    rng = random.Random(seed)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(KeyingScreen("o", 1))
        screen = app.screen
        while not (hasattr(screen, "sheet") and screen.sheet.loaded):
            await pilot.pause(0.02)
        sheet = screen.sheet
        drafts = app.service.writer.drafts
        print("ready", flush=True)
        while True:
            if sheet.at_end:
                await pilot.press("enter")
                continue
            key = rng.choice("12340")
            serial, column = sheet.current.ballot.serial, sheet.cells[sheet.col][0]
            await pilot.press(key)
            while drafts.pending:
                await asyncio.sleep(0.002)
            print(f"KEY {serial} {column} {GRADES[key]}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
