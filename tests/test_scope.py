from datetime import date

import pytest

from schema.kinds import BranchKind, OrgKind
from schema.records import Branch, Org, ScopeException
from schema.scope import ScopeReason, scope_of
from schema.campaign_setup import notice_2020

CAMPAIGN = notice_2020()
COLLEGE = Org(id="chem", name="化学学院党委", kind=OrgKind.COMMITTEE)
DIRECT = Org(id="clinic", name="校医院直属党支部", kind=OrgKind.DIRECT_BRANCH)


def branch(founded: date, org: Org = COLLEGE, **extra) -> Branch:
    return Branch(id="b1", org=org.id, name="教工第一党支部", kind=BranchKind.STAFF, founded=founded, **extra)


@pytest.mark.parametrize(
    "founded, org, in_scope, reason, detail",
    [
        (date(2015, 3, 1), COLLEGE, True, ScopeReason.IN, "纳入述职评议考核"),
        (date(2020, 12, 23), COLLEGE, True, ScopeReason.IN, "纳入述职评议考核"),
        (date(2020, 12, 24), COLLEGE, False, ScopeReason.NEW_BRANCH, "2020年12月24日成立，晚于通知下发日（2020年12月23日）"),
        (date(2015, 3, 1), DIRECT, False, ScopeReason.DIRECT_BRANCH, "直属党支部不纳入述职评议考核"),
    ],
)
def test_scope_rule(founded, org, in_scope, reason, detail):
    result = scope_of(branch(founded, org), org, CAMPAIGN)
    assert (result.in_scope, result.reason, result.detail) == (in_scope, reason, detail)


def test_exception_overrides_rule_and_keeps_reason():
    result = scope_of(branch(date(2020, 12, 24)), COLLEGE, CAMPAIGN, ScopeException(in_scope=True, reason="由原支部拆分"))
    assert result.in_scope and result.detail == "例外纳入：由原支部拆分"


def test_dissolved_before_notice_is_out():
    result = scope_of(branch(date(2010, 1, 1), dissolved=date(2020, 6, 30)), COLLEGE, CAMPAIGN)
    assert not result.in_scope and result.reason == ScopeReason.DISSOLVED
