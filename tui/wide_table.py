"""A row-cursor table that may be wider than the terminal: then its first column (the names)
is pinned, and ← → scroll the other columns one whole column at a time (Home/End: to either
end). Where it fits, it looks and behaves as a plain DataTable."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable


class WideTable(DataTable):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(**kwargs)

    @property
    def overflows(self) -> bool:
        """Whether some columns are out of sight: the user has to scroll to see them."""
        return self.max_scroll_x > 0

    def on_resize(self, _: events.Resize) -> None:  # the terminal's size or the table's width changed
        self.fixed_columns = 1 if self.overflows else 0

    def column_stops(self) -> list[int]:
        """The scroll positions that put each scrolling column just right of the pinned ones."""
        stops, x = [], 0
        for column in self.ordered_columns[self.fixed_columns :]:
            stops.append(x)
            x += column.get_render_width(self)
        return [min(stop, self.max_scroll_x) for stop in stops] + [self.max_scroll_x]

    def action_cursor_right(self) -> None:
        if self.cursor_type != "row":
            return super().action_cursor_right()
        self.scroll_x = next((s for s in self.column_stops() if s > self.scroll_x), self.max_scroll_x)

    def action_cursor_left(self) -> None:
        if self.cursor_type != "row":
            return super().action_cursor_left()
        self.scroll_x = max((s for s in self.column_stops() if s < self.scroll_x), default=0)
