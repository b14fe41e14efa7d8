"""The meeting (F5): its record, the speaking order, reconciliation, publishing and the
department's withdrawal of a publication.

The steps of a meeting (set-up, stage moves, 点评) are queued through the one writer in the
order they are made, after any ballot still being committed; the snapshot has them at once,
so the screen shows the change without waiting for git. Reconciling and publishing wait for
the queue first (call them from a worker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from schema.access import ALL
from schema.dates import cn_date
from schema.kinds import MeetingStage
from schema.paper import paper_problems, paper_tallies
from schema.records import Meeting, MeetingPart, Review, Withdrawal
from store.access import read_rules
from store.archive import Stored
from store.errors import StoreError
from store.intents.queued import Done, QueuedIntents
from store.meeting import Count, draw_lots, publish_changes, reconcile

@dataclass(frozen=True)
class Reconciled:
    """The meeting as committed and how its keyed ballots count."""

    meeting: Meeting
    count: Count

    @property
    def published(self) -> bool:
        return self.meeting.published


def secretaries(snapshot, branch_ids) -> dict[str, str]:
    """Branch id → the secretary's name (the branch's name where none is recorded)."""
    out = {}
    for b in branch_ids:
        if b in snapshot.branches:
            branch = snapshot.branches[b].record
            out[b] = branch.secretary or branch.name
    return out


class MeetingIntents(QueuedIntents):
    # ------------------------------------------------------------------ queued steps

    def save(self, org_id: str, meeting: Meeting, message: str, body: str = "", done: Done | None = None) -> Stored[Meeting]:
        """Queue ``meeting`` (a stage move, the speaker) as one commit; the snapshot has it at once.
        ``done(sha, error)`` comes back on the writer thread; on an error the snapshot goes back
        to the record on disk."""
        change, saved = self.service.change(self.snapshot.meeting(org_id), meeting)
        self.queue([change], message, body, [saved], done)
        return saved

    def save_comment(self, branch_id: str, text: str, done: Done | None = None) -> Stored[Review] | None:
        """Queue the 点评 of the secretary speaking; None when it is already saved."""
        stored = self.snapshot.review(branch_id)
        if stored.record.meeting.comment == text:
            return None
        part = stored.record.meeting.model_copy(update={"comment": text})
        change, saved = self.service.change(stored, stored.record.model_copy(update={"meeting": part}))
        name = self.snapshot.branches[branch_id].record.name
        self.queue([change], f"点评：{name}", "", [saved], done)
        return saved

    # ------------------------------------------------------------------ set-up

    def draw_lots(self, order: list[str], seed: int | None = None) -> tuple[list[str], int]:
        """A speaking order drawn by lot, and the seed that redraws it."""
        return draw_lots(order, seed)

    def setup(self, org_id: str, meeting: Meeting, modes: Mapping[str, MeetingPart]) -> str:
        """Save the set-up: the meeting and each secretary's place and way of reporting (in
        person or written), as one commit after whatever is queued. Returns the commit message,
        or "" when nothing changed."""
        snap = self.snapshot
        stored = snap.meeting(org_id)
        old = stored.record
        if old.frozen and (meeting.form != old.frozen.form or meeting.double_entry != old.double_entry):
            raise StoreError("已开始录票，测评票形式和双录设置不能再改")
        changes, written, moved = [], [], []
        for position, b in enumerate(meeting.order, start=1):
            review = snap.review(b)
            before = review.record.meeting
            mode = modes.get(b, before)
            part = before.model_copy(update={"mode": mode.mode, "mode_reason": mode.mode_reason, "order": position})
            if part != before:
                change, saved = self.service.change(review, review.record.model_copy(update={"meeting": part}))
                changes.append(change)
                (written if (part.mode, part.mode_reason) != (before.mode, before.mode_reason) else moved).append(saved)
        if meeting == old and not changes:
            return ""
        change, saved_meeting = self.service.change(stored, meeting)
        lots = f"；抽签种子 {meeting.lot_seed}" if meeting.lot_seed is not None and meeting.lot_seed != old.lot_seed else ""
        message = f"评议会设置：{self.org_name(org_id)}{lots}"
        names = [snap.branches[r.record.branch].record.name + f" {r.record.meeting.mode.value}" for r in written]
        body = "述职方式：" + "；".join(names) if names else ""
        self.service.writer.commit([change, *changes], message, body)
        self.service.absorb(saved_meeting, *written, *moved)
        return message

    # ------------------------------------------------------------------ counting and publishing

    def reconcile(self, org_id: str) -> Reconciled:
        """Whether the committed ballots balance (after the queued ones are committed)."""
        self.service.flush()
        meeting = self.snapshot.meeting(org_id).record
        return Reconciled(meeting, reconcile(self.archive, meeting, secretaries(self.snapshot, meeting.order)))

    def publish(self, org_id: str, override_reason: str = "") -> Stored[Meeting]:
        """Publish the keyed ballots' tallies: each secretary's to their review, the meeting
        marked published, one commit. Refused when already published, before any ballot, or when
        the counts do not balance and no reason is given."""
        self.service.flush()
        snap = self.snapshot
        stored = snap.meeting(org_id)
        meeting = stored.record
        self._publishable(meeting)
        if meeting.frozen is None:
            raise StoreError("还没有录入任何测评票，无法公布。")
        count = reconcile(self.archive, meeting, secretaries(snap, meeting.order))
        override = override_reason.strip()
        if count.problems and not override:
            raise StoreError(f"核对未通过（{count.problems[0]}），公布须填写原因。")
        body = f"有效票 {count.valid} 张，无效票 {count.invalid} 张。"
        if override:
            body += "\n核对未通过仍公布，原因：" + override + "\n未通过的核对：\n" + "\n".join(count.problems)
        message = f"公布测评结果：{self.org_name(org_id)}（有效票 {count.valid} 张）"
        return self._publish(stored, count.tallies, count.valid, count.invalid, override, message, body)

    def publish_tally(self, org_id: str, sheets: dict[str, dict[str, dict[str, int]]], valid: Mapping[str, int],
                      invalid: int, reason: str = "") -> Stored[Meeting]:
        """Publish a meeting counted on paper from its tally sheets (branch → rater group →
        counts; ``valid``: rater group → valid ballots of that sheet), one commit. Rows that do
        not add up are refused; counts that do not balance need a reason."""
        self.service.flush()
        snap = self.snapshot
        stored = snap.meeting(org_id)
        meeting = stored.record
        self._publishable(meeting)
        if meeting.frozen is not None:
            raise StoreError("已录入测评票：结果按录入的票计算，请用计票核对和公布。")
        scoring = snap.campaign.scoring
        blocking, problems = paper_problems(meeting, sheets, secretaries(snap, meeting.order), dict(valid), invalid,
                                            scoring.quorum)
        if blocking:
            raise StoreError(f"计票单有 {len(blocking)} 处不对：{blocking[0]}")
        override = reason.strip()
        if problems and not override:
            raise StoreError(f"核对未通过（{problems[0]}），公布须填写原因。")
        total = sum(valid.values())
        held = cn_date(meeting.held) if meeting.held else "未填日期"
        body = (f"评议会（{held}）测评票当场纸质计票；各书记得票按计票单录入。\n"
                f"有效票 {total} 张，无效票 {invalid} 张。")
        if override:
            body += "\n核对未通过仍公布，原因：" + override + "\n未通过的核对：\n" + "\n".join(problems)
        message = f"公布测评结果：{self.org_name(org_id)}（纸质计票，有效票 {total} 张）"
        return self._publish(stored, paper_tallies(sheets, scoring), total, invalid, override, message, body)

    def may_withdraw(self) -> str:
        """Why this operator may not withdraw a publication ("" when they may): only the
        organisation department (``"all"`` in access.toml; anyone in an archive without one)."""
        rules = read_rules(self.archive.root)
        name = self.archive.operator.name
        if rules is None or (rules.get("operators") or {}).get(name) == ALL:
            return ""
        return f"只有组织部（access.toml 中为 \"all\" 的操作人）可以撤回已公布的测评结果；当前操作人“{name}”不是。"

    def withdraw(self, org_id: str, reason: str) -> Stored[Meeting]:
        """Withdraw the meeting's published results, with the reason, as one commit (after
        whatever is queued): each secretary's tally removed from the review, the meeting marked
        unpublished with the withdrawal recorded. The department's alone; refused once the
        organisation's grading is finalised (the freeze, at the commit)."""
        reason = reason.strip()
        if not reason:
            raise StoreError("撤回公布须填写原因。")
        refused = self.may_withdraw()
        if refused:
            raise StoreError(refused)
        self.service.flush()
        snap = self.snapshot
        stored = snap.meeting(org_id)
        meeting = stored.record
        if not meeting.published:
            raise StoreError("测评结果尚未公布，无需撤回。")
        changes, saved = [], []
        for branch in dict.fromkeys([*meeting.order, *(meeting.frozen.columns if meeting.frozen else [])]):
            if branch not in snap.branches:
                continue
            review = snap.review(branch)
            if review.record.tally is not None:
                change, saved_review = self.service.change(review, review.record.model_copy(update={"tally": None}))
                changes.append(change)
                saved.append(saved_review)
        now = self.clock.now().isoformat(timespec="seconds")
        withdrawal = Withdrawal(at=now, by=self.archive.operator.name, reason=reason, published_at=meeting.published_at,
                                valid=meeting.ballots.valid, invalid=meeting.ballots.invalid)
        counts = meeting.ballots.model_copy(update={"valid": 0, "invalid": 0})
        unpublished = meeting.model_copy(update={
            "published": False, "stage": MeetingStage.COUNTING, "ballots": counts, "override_reason": "",
            "published_at": "", "withdrawals": [*meeting.withdrawals, withdrawal]})
        change, saved_meeting = self.service.change(stored, unpublished)
        body = (f"原因：{reason}\n撤回的公布：{meeting.published_at or '时间不详'}，"
                f"有效票 {meeting.ballots.valid} 张，无效票 {meeting.ballots.invalid} 张；各书记的得票已从评议记录中移除。")
        self.service.writer.commit([change, *changes], f"撤回测评结果：{self.org_name(org_id)}", body)
        self.service.absorb(saved_meeting, *saved)
        return saved_meeting

    def _publishable(self, meeting: Meeting) -> None:
        if meeting.published:
            raise StoreError("结果已公布。")

    def _publish(self, stored: Stored[Meeting], tallies, valid: int, invalid: int, override: str,
                 message: str, body: str) -> Stored[Meeting]:
        reviews = {b: self.snapshot.review(b) for b in tallies}
        changes, saved, saved_reviews = publish_changes(self.archive, stored, reviews, tallies, valid, invalid,
                                                        self.clock.now(), override)
        self.service.writer.commit(changes, message, body)
        self.service.absorb(saved, *saved_reviews)
        return saved


__all__ = ["MeetingIntents", "Reconciled", "secretaries"]
