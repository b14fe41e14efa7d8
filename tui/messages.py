"""Messages screens listen for."""

from textual.message import Message


class LoadProgress(Message):
    """The archive is still being read: the dashboard shows how far."""
