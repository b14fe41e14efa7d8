"""Intents whose commits queue behind the ballots being keyed: the snapshot takes the change
at once (the screen shows it without waiting for git), the one writer commits it in order,
and a failed commit puts the records back as they are on disk (until a retry commits it:
then the snapshot takes the change again)."""

from __future__ import annotations

from typing import Callable

from schema.records import Ballot, Meeting, Review
from store.archive import Change, Stored
from store.errors import StoreError
from store.intents.base import Intents
from store.writer import Job

Done = Callable[[str | None, StoreError | None], None]  # (commit, error), on the writer thread


class QueuedIntents(Intents):
    def queue(self, changes: list[Change], message: str, body: str = "", saved: list[Stored] = (),
              done: Done | None = None, finished: tuple[str, int] | None = None, held: list[Ballot] = ()) -> None:
        """Hand ``changes`` to the writer and put ``saved`` into the snapshot now."""
        saved = list(saved)
        self.service.absorb(*saved)
        failed: list[StoreError] = []

        def committed(sha: str | None, error: StoreError | None) -> None:
            if error is not None and saved:
                self.restore(saved)
            elif error is None and saved and failed:  # a stalled commit went in on a retry
                self.service.absorb(*saved)
            if error is not None:
                failed.append(error)
            if done:
                done(sha, error)

        self.service.writer.submit(Job(list(changes), message, body, done=committed, finished=finished, held=list(held)))

    def restore(self, saved: list[Stored]) -> None:
        """A queued change failed: the snapshot takes the records back as they are on disk."""
        back = []
        for stored in saved:
            record = stored.record
            try:
                back.append(self.archive.read(type(record), stored.path))
            except StoreError:  # never saved: a new one again
                if isinstance(record, Meeting):
                    back.append(Stored(Meeting(org=record.org, year=record.year), stored.path, None))
                elif isinstance(record, Review):
                    back.append(Stored(Review(branch=record.branch, org=record.org, year=record.year), stored.path, None))
        self.service.absorb(*back)


__all__ = ["Done", "QueuedIntents"]
