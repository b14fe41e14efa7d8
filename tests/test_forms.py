"""The F9 settings form and the branch form as pure models: text in, a record or every
problem by section (or field) out, whether anything changed, and the commit's words."""

from __future__ import annotations

from datetime import date

import pytest

from schema.branch_form import BranchForm, save_message, scope_exception_message
from schema.campaign_setup import CampaignForm
from schema.campaign_setup import save_message as settings_message
from schema.kinds import BranchKind
from schema.records import Branch, ScopeException
from schema.campaign_setup import notice_2020

CAMPAIGN = notice_2020()


def test_a_campaign_form_reads_back_the_campaign_it_was_filled_from():
    form = CampaignForm.of(CAMPAIGN)
    assert form.values["notice_date"] == "2020-12-23" and form.values["rounding"] == "floor"
    assert form.read() == (CAMPAIGN, {s: [] for s in ("dates", "quota", "report", "scoring", "grading", "indicators")})
    assert not form.dirty() and form.changes() == ""


@pytest.mark.parametrize(
    "values, section, message",
    [
        ({"good_max": "120"}, "quota", "“好”的比例应在 0–100% 之间，现为 120%"),
        ({"good_max": "三成"}, "quota", "“好”的比例应为数字，现为“三成”"),
        ({"report_deadline": "1月30日"}, "dates", "报送截止：“1月30日”不是日期，可写作 2021-01-15 或 2021年1月15日"),
        ({"report_deadline": ""}, "dates", "报送截止不能为空"),
        ({"report_deadline": "2020年12月1日"}, "dates", "报送截止日期不能早于通知日期"),
        ({"year": "2020.5"}, "dates", "年度应为不小于 0 的整数"),
        ({"min_chars": "-1"}, "report", "字数下限应为不小于 0 的整数"),
        ({"weight-3": "10"}, "grading", "各项权重之和应为 100%，现为 95%"),
        ({"vote-0": ""}, "scoring", "“好”的票值不能为空"),
        ({"rater_groups": "委员"}, "scoring", "测评组“委员”应写作 名称 权重%，如 委员 60%"),
        ({"indicators": "1 | 履职尽责 | 10"}, "indicators",
         "参考指标第 1 行：应写作 编号 | 组别 | 指标 | 满分，如 1.1 | 履职尽责 | 履行抓支部建设第一责任 | 10"),
    ],
)
def test_a_campaign_form_names_each_problem_in_its_section(values, section, message):
    campaign, errors = CampaignForm.of(CAMPAIGN).with_values(**values).read()
    assert campaign is None
    assert message in errors[section], errors
    assert CampaignForm.of(CAMPAIGN).with_values(**values).dirty()


@pytest.mark.parametrize(
    "values, changes",
    [
        ({"good_max": "25"}, "“好”名额 30%（向下取整） → 25%（向下取整）"),
        ({"rounding": "ceil"}, "“好”名额 30%（向下取整） → 30%（向上取整）"),
        ({"notice_date": "2020年12月24日"}, "通知日期 2020年12月23日 → 2020年12月24日"),
        ({"year": "2021", "name": "新名称"}, "年度 2020 → 2021；名称 2020年度党支部书记述职评议考核 → 新名称"),
        ({"trimmed": not CAMPAIGN.scoring.trimmed_mean}, "测评计分"),
        ({"indicators": "1 | 履职尽责 | 带头讲党课 | 10"}, "参考指标"),
        ({"sections": "一；二"}, "述职报告要求"),
    ],
)
def test_a_campaign_form_says_what_a_save_changes(values, changes):
    form = CampaignForm.of(CAMPAIGN).with_values(**values)
    assert form.dirty() and form.changes() == changes
    campaign, _ = form.read()
    assert settings_message(CAMPAIGN, campaign) == f"修改年度设置：2020年度（{changes}）"


@pytest.mark.parametrize(
    "values, quota, weights",
    [
        ({}, "N = 7 时“好”最多 2 个（30% × 7 = 2.1，向下取整）", "合计 100%"),
        ({"rounding": "ceil"}, "N = 7 时“好”最多 3 个（30% × 7 = 2.1，向上取整）", "合计 100%"),
        ({"good_max": "x", "weight-0": "1"}, "比例应为数字，现为“x”", "合计 81%（应为 100%）"),
        ({"weight-0": "?"}, "N = 7 时“好”最多 2 个（30% × 7 = 2.1，向下取整）", "合计：有不是数字的权重"),
    ],
)
def test_the_lines_that_follow_the_typing(values, quota, weights):
    form = CampaignForm.of(CAMPAIGN).with_values(**values)
    assert (form.quota_line("7"), form.weights_line()) == (quota, weights)


BRANCH = Branch(id="b1", org="chem", name="化学教工第一党支部", kind=BranchKind.STAFF, founded=date(2016, 9, 1),
                secretary="张明", members=23)


@pytest.mark.parametrize(
    "values, field, message_part",
    [
        ({"founded": "去年"}, "founded", "应为日期"),
        ({"members": "二十"}, "members", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_a_branch_form_names_the_bad_field(values, field, message_part):
    branch, errors = BranchForm.of(BRANCH).with_values(**values).read()
    assert branch is None and errors[field] and message_part in errors[field][0]
    assert [k for k, v in errors.items() if v] == [field]


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, ""),
        ({"secretary": "王芳"}, "修改党支部：化学教工第一党支部（支部书记 张明 → 王芳）"),
        ({"founded": "2016年9月2日"}, "修改党支部：化学教工第一党支部（成立日期 2016年9月1日 → 2016年9月2日）"),
        ({"members": ""}, "修改党支部：化学教工第一党支部（党员人数 23 → （空））"),
        ({"last_election": "2019-05-12", "committee_size": "5"},
         "修改党支部：化学教工第一党支部（上次换届 （空） → 2019年5月12日；支委人数 （空） → 5）"),
    ],
)
def test_a_branch_form_says_what_a_save_changes(values, message):
    form = BranchForm.of(BRANCH).with_values(**values)
    branch, _ = form.read()
    assert save_message(BRANCH, branch) == message
    assert form.dirty() == bool(message)


def test_a_scope_exception_is_said_with_its_reason():
    assert scope_exception_message("化学教工第一党支部", ScopeException(in_scope=False, reason="合并")) == \
        "范围例外：化学教工第一党支部 → 不纳入（合并）"
