"""Messages screens listen for."""

from textual.message import Message


class ArchiveReloaded(Message):
    """The app's snapshot changed (a save here, or another user's commit)."""
