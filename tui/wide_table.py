"""A row-cursor table that may be wider than the terminal: then its first column (the names)
is pinned, and ← → scroll the other columns one whole column at a time (Home/End: to either
end). Where it fits, it looks and behaves as a plain DataTable."""

from __future__ import annotations

from textual import events
from textual.geometry import Size
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
        self._pad_to_a_column_edge()

    def _update_dimensions(self, new_rows) -> None:
        super()._update_dimensions(new_rows)
        self._pad_to_a_column_edge()

    def _pad_to_a_column_edge(self) -> None:
        """Room after the last column so that the far right (End) also starts a column just
        right of the pinned names, not a character or two into one."""
        widths = [c.get_render_width(self) for c in self.ordered_columns]
        view = self.scrollable_content_region.width
        total = sum(widths)
        if not widths or not view or total <= view:
            pad = 0
        else:
            furthest, edge = total - view, 0
            for width in widths[1:]:
                if edge >= furthest:
                    break
                edge += width
            pad = max(0, edge - furthest)
        if self.virtual_size.width != total + pad:
            self.virtual_size = Size(total + pad, self.virtual_size.height)

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
