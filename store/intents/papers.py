"""Printing a meeting's papers (issue 19): write the file, then record in the meeting, in one
commit, the order and form it was printed with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schema.kinds import PaperKind
from schema.paper import sheet_groups
from schema.papers import (
    PaperRefused,
    ballot_papers,
    current_scoring,
    printed_form,
    signin_paper,
    tally_papers,
    variant_copies,
)
from store.archive import Stored
from store.errors import StoreError
from store.intents.base import Intents


@dataclass(frozen=True)
class Printout:
    path: Path
    kind: PaperKind
    pages: int  # sheets in the file
    copies: dict[str, int]  # variant ("" where there is one) → copies; empty: one master
    meeting: Stored

    def describe(self) -> str:
        if not self.copies:
            return f"母版 {self.pages} 页"
        return "，".join(f"{g}用 {n} 份" if g else f"{n} 份" for g, n in self.copies.items())


class PaperIntents(Intents):
    def print(self, org_id: str, kind: PaperKind, path: Path | str, copies: int = 0) -> Printout:
        """Write ``kind`` for the organisation's meeting to ``path`` (.docx or .pdf): ``copies``
        to issue (ballots: shared among the rater groups' variants by their due counts), or 0 for
        one master to copy. Records the printout in the meeting record."""
        # python-docx: kept off opening the archive
        from store.papers import ballots_document, check_output, signin_document, tally_document, write_document

        path = Path(path)
        snap = self.snapshot
        if org_id not in snap.orgs:
            raise StoreError(f"没有 id 为 “{org_id}” 的二级党组织。可用 `shuping scope --json` 查看全部 id。")
        check_output(path, self.archive.root)
        stored = snap.meeting(org_id)
        org_name = snap.orgs[org_id].record.name
        if stored.version is None:
            raise StoreError(f"{org_name}还没有评议会设置：请先在 F5 评议会中设置会议和述职顺序")
        meeting, campaign = stored.record, snap.campaign
        branches = {b.id: b for b in snap.org_branches(org_id)}
        shares: dict[str, int] = {}
        try:
            if kind == PaperKind.BALLOT:
                papers = ballot_papers(meeting, campaign, org_name, branches)
                shares = variant_copies(copies, [p.variant for p in papers], meeting.attendance) if copies else {}
                doc = ballots_document(papers, shares or None)
                pages = sum(shares.values()) if shares else len(papers)
            elif kind == PaperKind.SIGN_IN:
                doc = signin_document(signin_paper(meeting, campaign, org_name), copies or 1)
                shares, pages = ({"": copies} if copies else {}), copies or 1
            else:
                papers = tally_papers(meeting, campaign, org_name, branches)
                doc = tally_document(papers, copies or 1)
                groups = sheet_groups(current_scoring(meeting, campaign))
                shares = {g: copies for g in groups} if copies else {}
                pages = len(papers) * (copies or 1)
        except PaperRefused as e:
            raise StoreError(f"无法打印{kind.value}：{e}") from e
        write_document(doc, path)
        now = self.clock.now().isoformat(timespec="seconds")
        record = meeting.model_copy(update={"printed": [*meeting.printed, printed_form(kind, meeting, now, copies)]})
        names = [branches[b].secretary if b in branches else b for b in record.printed[-1].order]
        printout = Printout(path, kind, pages, shares, stored)
        body = (f"述职顺序：{'、'.join(names)}；" if names else "") + f"测评方式：{record.printed[-1].form.value}"
        try:
            _, saved = self.service.save(stored, record, f"打印{kind.value}：{org_name}（{printout.describe()}）", body)
        except StoreError:
            path.unlink(missing_ok=True)  # a paper the meeting record does not know of must not be handed out
            raise
        return Printout(path, kind, pages, shares, saved)


__all__ = ["PaperIntents", "Printout"]
