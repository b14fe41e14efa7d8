"""The reference indicator set (附件1) used when a campaign has none: the notice's four report
areas as groups, 100 points in all (shapes from other universities' published forms, practice.md)."""

from __future__ import annotations

from schema.records import Campaign, Indicator, OrgYear

REFERENCE = [
    ("1.1", "履职尽责", "履行抓支部建设第一责任", 10),
    ("1.2", "履职尽责", "学习贯彻上级部署和学校会议要求", 5),
    ("1.3", "履职尽责", "带头讲党课、组织支部活动", 5),
    ("1.4", "履职尽责", "参加培训与素质能力大赛", 5),
    ("2.1", "支部建设", "组织生活规范（三会一课、主题党日、记录）", 10),
    ("2.2", "支部建设", "发展党员程序规范，在专任教师中发展党员", 5),
    ("2.3", "支部建设", "党员教育管理", 5),
    ("2.4", "支部建设", "党费按月足额收缴", 5),
    ("2.5", "支部建设", "按期换届与支委配齐", 5),
    ("2.6", "支部建设", "组织生活会与民主评议党员", 5),
    ("2.7", "支部建设", "党务信息系统维护及时准确", 5),
    ("3.1", "思想政治工作", "联系服务师生", 7),
    ("3.2", "思想政治工作", "掌握思想动态、开展思想政治教育", 6),
    ("3.3", "思想政治工作", "师德师风、学风建设", 7),
    ("4.1", "问题整改", "上年度问题整改情况", 7),
    ("4.2", "问题整改", "查摆问题的深度", 4),
    ("4.3", "问题整改", "下一步举措的针对性", 4),
]


def reference_indicators() -> list[Indicator]:
    return [Indicator(id=i, group=g, name=n, max_points=p) for i, g, n, p in REFERENCE]


def indicators_for(campaign: Campaign, org_year: OrgYear | None) -> list[Indicator]:
    """The indicators an organisation rates with: its own set when it made one (the notice lets
    each unit adapt 附件1), else the campaign's."""
    if org_year is not None and org_year.indicators:
        return org_year.indicators
    return campaign.indicators
