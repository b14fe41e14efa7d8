"""Type-ahead across fields: keys typed right after Tab (from any field but a text area) or
Enter in a text field go to the field that has focus next.

Textual routes each key to the widget focused when the app takes it from the terminal; the
Tab (or the Enter whose ``Input.Submitted`` moves focus) is handled later, after it has
bubbled through the widgets' queues, so keys typed within a few milliseconds landed in the
field being left. The app hands such keys here: they wait until focus has moved, or until
the screen has handled everything the Tab/Enter set off without moving it, and then go on
in the order typed.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Awaitable, Callable

from textual import events
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from textual.app import App

TABS = frozenset({"tab", "shift+tab"})
ROUNDS = 16  # queue drains of the screen's widgets: a Tab or Enter settles in well under ten
LONGEST = 1.0  # seconds: never hold a key longer, whatever happens to the screen


def moves_focus(key: str, focused) -> bool:
    """Tab from a field (a text area keeps its Tab), or Enter in a text field (the form or
    dialog may move on when it is submitted)."""
    if key in TABS:
        return focused is not None and not isinstance(focused, TextArea)
    return key == "enter" and isinstance(focused, Input)


class TypeAhead:
    def __init__(self, app: App, route: Callable[[events.Key], Awaitable[None]]):
        self.app = app
        self.route = route  # hands one key to the focused widget, as Textual does
        self.held: deque[events.Key] = deque()
        self.origin = None  # the field being left while keys are held
        self.hold = 0  # which hold the rounds and the timer belong to
        self.rounds = 0
        self.timer = None

    async def key(self, event: events.Key) -> None:
        """A key from the terminal: routed now, or held behind a Tab/Enter still on its way."""
        if self.origin is not None:
            self.held.append(event)
            return
        await self._route(event)

    async def _route(self, event: events.Key) -> None:
        focused = self.app.focused
        await self.route(event)
        if moves_focus(event.key, focused):
            self.hold += 1
            self.origin, self.rounds = focused, 0
            # a widget removed meanwhile never answers its round: the timer lets the keys go regardless
            self.timer = self.app.set_timer(LONGEST, partial(self._release, self.hold))
            self._next_round(self.hold)

    def _next_round(self, hold: int) -> None:
        """Wait for every widget of the screen (and the app) to handle what is queued now."""
        try:
            nodes = [self.app, *self.app.screen.walk_children(with_self=True)]
        except Exception:  # no screen (the app is closing)
            nodes = [self.app]
        pending = len(nodes)

        def drained() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                self.app.call_later(self._settle, hold)

        for node in nodes:
            if not node.call_later(drained):
                pending -= 1
        if pending == 0:
            self.app.call_later(self._settle, hold)

    async def _settle(self, hold: int) -> None:
        if hold != self.hold or self.origin is None:
            return
        self.rounds += 1
        if self.app.focused is self.origin and self.rounds < ROUNDS:
            self._next_round(hold)
        else:
            await self._release(hold)

    async def _release(self, hold: int) -> None:
        if hold != self.hold or self.origin is None:
            return
        self.origin = None
        self.timer.stop()
        while self.held and self.origin is None:
            await self._route(self.held.popleft())


__all__ = ["TypeAhead"]
