"""The campaign (F9): its settings, the roster import, a new year, an organisation's own indicators."""

from __future__ import annotations

from pathlib import Path

from schema.campaign_setup import org_indicators_message, save_message
from schema.records import Campaign, Indicator
from schema.validation import check_value
from store.archive import Stored
from store.campaigns import NewCampaign, change_year, new_campaign
from store.errors import StoreError
from store.intents.base import Intents
from store.roster import Progress, RosterError, RosterFile, RosterPlan, import_roster


class CampaignIntents(Intents):
    def save_settings(self, campaign: Campaign, base: Stored[Campaign] | None = None) -> Stored[Campaign] | None:
        """Save the open year's settings as one commit; None when nothing changed.

        ``base`` is the record the form was filled from (default: the snapshot's), so that a
        change someone else made meanwhile is refused rather than overwritten. A different
        ``year`` moves the campaign (``change_year``)."""
        base = base or self.snapshot.campaigns[self.snapshot.year]
        message = save_message(base.record, campaign)
        if not message:
            return None
        if campaign.year != base.record.year:
            return self.change_year(campaign, base, message)
        _, saved = self.service.save(base, campaign, message)
        return saved

    def change_year(self, campaign: Campaign, base: Stored[Campaign], message: str) -> Stored[Campaign]:
        """Give the campaign another year: only while nothing is recorded for its year (a fresh
        archive set up for the wrong year). The archive's current year follows; the service reads
        the archive again."""
        change_year(self.archive, base, campaign, message)
        if self.service.year == base.record.year:
            self.service.year = None
        return self.service.reload().campaigns[campaign.year]

    def new_year(self, year: int) -> NewCampaign:
        """Start ``year`` from the current campaign (one commit, see ``store.campaigns``) and open it."""
        result = new_campaign(self.archive, year)
        self.service.year = None  # the new year is the archive's current one
        self.service.reload()
        return result

    def import_roster(self, path: Path | str, sheet: str | None = None, dry_run: bool = False,
                      progress: Progress | None = None) -> RosterPlan:
        """Check a roster (xlsx) against the archive and, unless ``dry_run``, apply it as one commit.

        Returns the plan: what is added, updated and dissolved, or — nothing written — every
        problem in the file (``plan.problems``). Other failures (no such file, broken records in
        the archive) raise ``StoreError``."""
        path = Path(path).expanduser()
        try:
            plan = import_roster(self.archive, path, sheet, today=self.clock.today(), dry_run=dry_run, progress=progress)
        except RosterError as e:
            return RosterPlan(RosterFile(path.name, sheet or ""), problems=e.problems)
        if not dry_run and not plan.empty:
            self.service.reload()
        return plan

    def save_org_indicators(self, org_id: str, indicators: list[Indicator]) -> Stored | None:
        """An organisation's own indicator set for the open year (none: the campaign's); None
        when nothing changed."""
        stored = self.snapshot.org_year(org_id)
        if indicators == stored.record.indicators:
            return None
        data = {**stored.record.model_dump(mode="python"), "indicators": [i.model_dump() for i in indicators]}
        problems = check_value(type(stored.record), data)
        if problems:
            raise StoreError("\n".join(p.message for p in problems))
        record = stored.record.model_copy(update={"indicators": indicators})
        _, saved = self.service.save(stored, record, org_indicators_message(self.org_name(org_id), record.year, indicators))
        return saved

    def set_export_dir(self, folder: str) -> Stored | None:
        """The archive settings' export folder (checked: never in the record folders); None
        when unchanged."""
        from schema.records import ArchiveSettings
        from store import layout
        from store.outputs import export_folder

        folder = folder.strip()
        export_folder(self.archive.root, folder)
        stored = self.archive.read(ArchiveSettings, layout.SETTINGS)
        if folder == stored.record.export_dir:
            return None
        record = stored.record.model_copy(update={"export_dir": folder})
        _, saved = self.service.save(stored, record, f"导出文件夹：{folder or '默认（~/shuping-exports）'}")
        return saved


__all__ = ["CampaignIntents"]
