"""Who is reviewed this year: the notice's scope rule, with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from schema.dates import cn_date
from schema.kinds import OrgKind
from schema.records import Branch, Campaign, Org, ScopeException


class ScopeReason(StrEnum):
    IN = "纳入"
    DIRECT_BRANCH = "直属党支部"
    NEW_BRANCH = "新成立"
    DISSOLVED = "已撤销"
    EXCEPTION_IN = "例外纳入"
    EXCEPTION_OUT = "例外不纳入"


@dataclass(frozen=True)
class ScopeResult:
    in_scope: bool
    reason: ScopeReason
    detail: str

    @property
    def label(self) -> str:
        return "纳入" if self.in_scope else "不纳入"


def scope_of(
    branch: Branch, org: Org, campaign: Campaign, exception: ScopeException | None = None
) -> ScopeResult:
    """Decide whether ``branch`` is reviewed in ``campaign``.

    The notice covers every branch except those of a 直属党支部 and those founded after
    the notice was issued. A recorded exception overrides the rule and keeps its reason.
    """
    if exception is not None:
        if exception.in_scope:
            return ScopeResult(True, ScopeReason.EXCEPTION_IN, f"例外纳入：{exception.reason}")
        return ScopeResult(False, ScopeReason.EXCEPTION_OUT, f"例外不纳入：{exception.reason}")
    if branch.dissolved is not None and branch.dissolved <= campaign.notice_date:
        return ScopeResult(False, ScopeReason.DISSOLVED, f"已于{cn_date(branch.dissolved)}撤销")
    if org.kind == OrgKind.DIRECT_BRANCH:
        return ScopeResult(False, ScopeReason.DIRECT_BRANCH, "直属党支部不纳入述职评议考核")
    if branch.founded > campaign.notice_date:
        return ScopeResult(
            False,
            ScopeReason.NEW_BRANCH,
            f"{cn_date(branch.founded)}成立，晚于通知下发日（{cn_date(campaign.notice_date)}）",
        )
    return ScopeResult(True, ScopeReason.IN, "纳入述职评议考核")


@dataclass
class ScopeCounts:
    branches: int = 0
    in_scope: int = 0
    excluded_by: dict[ScopeReason, int] = field(default_factory=dict)

    def add(self, result: ScopeResult) -> None:
        self.branches += 1
        if result.in_scope:
            self.in_scope += 1
        else:
            self.excluded_by[result.reason] = self.excluded_by.get(result.reason, 0) + 1

    @property
    def excluded(self) -> int:
        return self.branches - self.in_scope

    def excluded_for(self, reason: ScopeReason) -> int:
        return self.excluded_by.get(reason, 0)
