"""What every area of intents shares: the service it works for."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schema.clock import Clock
    from store.archive import Archive
    from store.service import Service
    from store.snapshot import Snapshot


class Intents:
    def __init__(self, service: Service):
        self.service = service

    @property
    def archive(self) -> Archive:
        return self.service.archive

    @property
    def snapshot(self) -> Snapshot:
        return self.service.snapshot

    @property
    def clock(self) -> Clock:
        return self.service.clock

    def org_name(self, org_id: str) -> str:
        org = self.service.snapshot.orgs.get(org_id) if self.service.loaded else None
        return org.record.name if org else org_id


__all__ = ["Intents"]
