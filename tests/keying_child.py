"""Run the real app headless and key ballots, printing acknowledgements, until killed.

    python tests/keying_child.py ARCHIVE

Prints ``SAVED n`` when the screen marks ballot n saved (committed) and ``DRAFT n k`` once
the open ballot n's first k marks are on disk. The parent test kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.archive import Archive  # noqa: E402
from tui.app import ShupingApp  # noqa: E402
from tui.screens.keying import KeyingScreen  # noqa: E402


async def main(root: str) -> None:
    app = ShupingApp(Archive.open(root, "录入员"))
    rng = random.Random(7)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(KeyingScreen("o", 1))
        screen = app.screen
        while not (hasattr(screen, "sheet") and screen.sheet.loaded):
            await pilot.pause(0.05)
        columns = len(screen.sheet.cells)
        acked: set[int] = set()
        serial = screen.sheet.rows[-1].ballot.serial
        while True:
            for k in range(1, columns + 1):
                await pilot.press(rng.choice("12340"))
                if serial >= 4 and k in (2, 4):
                    app.service.flush()
                    print(f"DRAFT {serial} {k}", flush=True)
                for row in screen.sheet.rows:
                    s = row.ballot.serial
                    if s not in acked and row.ballot.status.value == "已完成" and not row.saving:
                        acked.add(s)
                        print(f"SAVED {s}", flush=True)
            await pilot.press("enter")
            serial += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
