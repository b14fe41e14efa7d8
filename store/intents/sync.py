"""Sync with the central archive (Ctrl+Y): fetch, merge, push, and settle conflicting fields."""

from __future__ import annotations

from store import layout
from store.intents.base import Intents
from store.mergedriver import OURS, THEIRS
from store.sync import Progress, SyncResult, remote_url, resolve, set_remote, sync


class SyncIntents(Intents):
    OURS, THEIRS = OURS, THEIRS  # the two sides a conflicting field is settled to

    def remote(self) -> str | None:
        """Where the central archive is (a path or an ssh URL); None before it is set."""
        return remote_url(self.archive)

    def set_remote(self, url: str) -> None:
        """Remember where the central archive is, for every sync from now on."""
        set_remote(self.archive, url)

    def run(self, progress: Progress | None = None) -> SyncResult:
        """Fetch, merge and push; the conflicts, if any, come back for a person to settle
        (nothing is merged then). The service reads the archive again when it changed."""
        return self._settled(sync(self.archive, progress=progress))

    def resolve(self, result: SyncResult, choices: dict[tuple[str, tuple[str, ...]], str],
                progress: Progress | None = None) -> SyncResult:
        """Merge again with each conflict settled as chosen ((path, key) → OURS/THEIRS), as one
        commit, then push."""
        return self._settled(resolve(self.archive, result, choices, progress=progress))

    def record_name(self, path: str) -> str | None:
        """The branch a record belongs to, by name (a branch's record, review or report); None
        for anything else."""
        stem = path.rsplit("/", 1)[-1].removesuffix(".toml").removesuffix(".md")
        if layout.kind_of(path) in ("branch", "review") or path.endswith(".md"):
            branch = self.snapshot.branches.get(stem)
            return branch.record.name if branch else None
        return None

    def _settled(self, result: SyncResult) -> SyncResult:
        if result.received or not result.conflicts:
            self.service.reload()
        return result


__all__ = ["SyncIntents"]
