"""Ballots keyed at a meeting: finish, correct, invalidate, the open ballot's draft, and the
double-entry check.

Finishing a ballot never waits for git: the intent builds the commit and hands it to the one
writer, and says when it is done through ``done(sha, error)`` on the writer thread. The first
ballot of a meeting also freezes the meeting's settings (form, columns, scoring), in the same
commit. Reading ballots waits for the queue first (call ``load``/``compare``/``count`` from a
worker)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from schema.kinds import BallotForm, BallotStatus, MeetingStage
from schema.keying import finish_ballot
from schema.reconcile import WHOLE, Mismatch, compare, mismatch_label
from schema.records import Ballot, Meeting
from store import layout
from store.archive import Stored
from store.ballots import PASS_NAMES, ballot_change, load_ballots, load_draft, load_draft_file
from store.errors import StoreError
from store.intents.meeting import secretaries
from store.intents.queued import Done, QueuedIntents
from store.meeting import freeze
from store.writer import unsaved_folder, unsaved_path


@dataclass(frozen=True)
class BallotPass:
    """One keying pass as committed, and the open ballot's draft left by the last session."""

    committed: Mapping[int, Stored[Ballot]]
    draft: Ballot | None = None
    unsaved: list[Ballot] = field(default_factory=list)  # handed to the writer, never committed (a crash, a failure)


@dataclass(frozen=True)
class Comparison:
    """The two passes of a double-entry meeting (finished ballots) and where they differ."""

    meeting: Meeting
    first: Mapping[int, Stored[Ballot]] = field(default_factory=dict)
    second: Mapping[int, Stored[Ballot]] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)


class BallotIntents(QueuedIntents):
    # ------------------------------------------------------------------ reading

    def load(self, org_id: str, entry: int) -> BallotPass:
        """The pass's committed ballots (after those still queued) and the open one's draft."""
        self.service.flush()
        year = self.snapshot.year
        committed = load_ballots(self.archive, org_id, year, entry)
        return BallotPass(committed, load_draft(self.archive, org_id, year, entry),
                          self._unsaved(org_id, year, entry, committed))

    def _unsaved(self, org_id: str, year: int, entry: int, committed: Mapping[int, Stored[Ballot]]) -> list[Ballot]:
        """The ballots finished, corrected or declared invalid whose commit never happened, in
        serial order; copies the archive already holds are removed."""
        folder = unsaved_folder(org_id, year, entry)
        try:
            names = sorted(os.listdir(self.archive.root / folder))
        except OSError:
            return []
        out = []
        for name in names:
            ballot = load_draft_file(self.archive, f"{folder}/{name}") if name.endswith(".toml") else None
            if ballot is None:
                continue
            stored = committed.get(ballot.serial)
            if stored is not None and stored.record == ballot:
                self.service.writer.drafts.put(unsaved_path(ballot), None)
            else:
                out.append(ballot)
        return out

    def resume(self, ballot: Ballot, base: str | None, done: Done | None = None) -> Stored[Ballot]:
        """Commit again a ballot whose commit never happened (``BallotPass.unsaved``): a new one
        as it was finished, one committed before (``base``) as a correction."""
        if base is None:
            return self.finish(ballot.model_copy(update={"status": BallotStatus.OPEN}), ballot.reason, done)
        return self._commit(ballot, base, f"更正测评票：{self._where(ballot)}", "原因：" + (ballot.corrections or [""])[-1], done)

    def count(self, org_id: str) -> tuple[int, int]:
        """How many ballots each pass has committed (after those still queued)."""
        self.service.flush()
        year = self.snapshot.year
        return len(load_ballots(self.archive, org_id, year, 1)), len(load_ballots(self.archive, org_id, year, 2))

    def compare(self, org_id: str) -> Comparison:
        """The finished ballots of both passes and their differences."""
        self.service.flush()
        year = self.snapshot.year
        passes = [{s: b for s, b in load_ballots(self.archive, org_id, year, entry).items()
                   if b.record.status != BallotStatus.OPEN} for entry in (1, 2)]
        mismatches = compare(*({s: b.record for s, b in p.items()} for p in passes))
        return Comparison(self.snapshot.meeting(org_id).record, passes[0], passes[1], mismatches)

    # ------------------------------------------------------------------ keying

    def draft(self, ballot: Ballot) -> None:
        """Keep the open ballot's marks on disk (latest wins; cheap enough for every key)."""
        self.service.writer.draft(ballot)

    def finish(self, ballot: Ballot, invalid_reason: str = "", done: Done | None = None) -> Stored[Ballot]:
        """Commit the open ``ballot`` as finished (or, with a reason, declared invalid) and
        return it as it will be stored. The meeting's first ballot freezes its settings in the
        same commit."""
        if ballot.status != BallotStatus.OPEN:
            raise StoreError(f"第 {ballot.serial} 号票已录完")
        stored = self.snapshot.meeting(ballot.org)
        meeting = stored.record
        frozen = meeting.frozen
        columns = list(frozen.columns if frozen else meeting.order)
        form = frozen.form if frozen else meeting.form
        finished = finish_ballot(ballot, columns, form == BallotForm.INDICATORS, invalid_reason)
        change, version = ballot_change(finished, None)
        changes, saved, body = [change], [], f"无效原因：{invalid_reason}" if invalid_reason else ""
        if frozen is None:
            settings = freeze(meeting, self.snapshot.campaign, self.clock.now())
            meeting_change, saved_meeting = self.service.change(
                stored, meeting.model_copy(update={"frozen": settings, "stage": MeetingStage.RATING}))
            changes.append(meeting_change)
            saved.append(saved_meeting)
            body = (body + "\n" if body else "") + "首张票录入，评议会测评设置自此冻结。"
        what = "无效票" if invalid_reason else "测评票"
        self.queue(changes, f"录入{what}：{self._where(finished)}", body, saved, done, held=[finished],
                   finished=(layout.draft_path(ballot.org, ballot.year, ballot.entry), ballot.serial))
        return Stored(finished, change.path, version)

    def correct(self, ballot: Ballot, base: str | None, reason: str, done: Done | None = None) -> Stored[Ballot]:
        """Commit a finished ballot changed on screen (``base``: the version it changes), with the reason."""
        corrected = ballot.model_copy(update={"corrections": [*ballot.corrections, reason]})
        return self._commit(corrected, base, f"更正测评票：{self._where(corrected)}", f"原因：{reason}", done)

    def invalidate(self, ballot: Ballot, base: str | None, reason: str, done: Done | None = None) -> Stored[Ballot]:
        """Declare a ballot invalid, with the reason; an open one is finished as invalid."""
        if ballot.status == BallotStatus.OPEN:
            return self.finish(ballot, reason, done)
        invalid = ballot.model_copy(update={"status": BallotStatus.INVALID, "reason": reason})
        return self._commit(invalid, base, f"宣布测评票无效：{self._where(invalid)}", f"原因：{reason}", done)

    # ------------------------------------------------------------------ double entry

    def resolve(self, comparison: Comparison, mismatch: Mismatch, value: str, reason: str,
                done: Done | None = None) -> None:
        """Settle one difference of the two passes from the paper ballot, with the reason. A
        cell: ``value`` (a mark, or points) goes into both passes. The whole ballot (valid or
        not, the rater group): ``value`` is the pass that is right ("1" or "2"), copied onto the other."""
        m = mismatch
        org = self.org_name(comparison.meeting.org)
        if m.serial not in comparison.first or m.serial not in comparison.second:
            raise StoreError(f"第 {m.serial} 号票只在一遍中录入：请补录后再核对")
        if m.column in WHOLE:
            if value not in ("1", "2"):
                raise StoreError("请填 1（第一遍）或 2（第二遍）")
            right, wrong = (comparison.first, comparison.second) if value == "1" else (comparison.second, comparison.first)
            source, stored = right[m.serial].record, wrong[m.serial]
            fields = ("status", "reason") if m.column == "状态" else ("group",)
            fixed = stored.record.model_copy(update={f: getattr(source, f) for f in fields})
            fixed = fixed.model_copy(update={"corrections": [*fixed.corrections, f"双录核对：{reason}"]})
            shown = (m.first if value == "1" else m.second) or "有效"
            message = f"双录核对：{org} 第 {m.serial} 号 {WHOLE[m.column]} 以第{'一二'[int(value) - 1]}遍为准（{shown}）"
            self.queue([ballot_change(fixed, stored.version)[0]], message, f"原因：{reason}", done=done)
            return
        branch, _, indicator = m.column.partition("/")
        changes = []
        for stored in (comparison.first[m.serial], comparison.second[m.serial]):
            b = stored.record
            if indicator:
                b = b.model_copy(update={"points": {**b.points, branch: {**b.points.get(branch, {}), indicator: float(value)}}})
            else:
                b = b.model_copy(update={"marks": {**b.marks, branch: value}})
            b = b.model_copy(update={"corrections": [*b.corrections, f"双录核对：{reason}"]})
            changes.append(ballot_change(b, stored.version)[0])
        label = mismatch_label(m.column, secretaries(self.snapshot, [branch]), comparison.meeting)
        self.queue(changes, f"双录核对：{org} 第 {m.serial} 号 {label} → {value}", f"原因：{reason}", done=done)

    # ------------------------------------------------------------------ helpers

    def _commit(self, ballot: Ballot, base: str | None, message: str, body: str, done: Done | None) -> Stored[Ballot]:
        change, version = ballot_change(ballot, base)
        self.queue([change], message, body, done=done, held=[ballot])
        return Stored(ballot, change.path, version)

    def _where(self, ballot: Ballot) -> str:
        return f"{self.org_name(ballot.org)} 第 {ballot.serial} 号（{PASS_NAMES[ballot.entry]}）"


__all__ = ["BallotIntents", "BallotPass", "Comparison"]
