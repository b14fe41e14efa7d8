"""The service's intents behind the shell screens: the campaign (F9), branches (F3) and sync,
called as the app calls them, without a screen."""

from __future__ import annotations

import subprocess

import pytest

from schema.records import Indicator, ScopeException
from store.archive import Archive
from store.errors import ConflictError, FrozenError, StoreError
from store.service import Service
from store.snapshot import load
from store.sync import set_remote
from store.sync import sync as plain_sync
from tests.conftest import git_log
from tests.test_roster import ROWS, write_roster


def service(archive: Archive) -> Service:
    svc = Service(archive)
    svc.load()
    return svc


# ---------------------------------------------------------------- campaign


def test_save_settings_commits_once_and_says_what_changed(demo_archive: Archive):
    svc = service(demo_archive)
    old = svc.snapshot.campaign
    new = old.model_copy(update={"quota": old.quota.model_copy(update={"good_max": 0.25})})
    saved = svc.campaign.save_settings(new)
    assert saved.record.quota.good_max == 0.25
    assert svc.snapshot.campaign.quota.good_max == 0.25  # the service's snapshot has it
    assert git_log(demo_archive, "-1") == ["测试员|修改年度设置：2020年度（“好”名额 30%（向下取整） → 25%（向下取整））"]


def test_save_settings_without_a_change_commits_nothing(demo_archive: Archive):
    svc = service(demo_archive)
    head = demo_archive.head()
    assert svc.campaign.save_settings(svc.snapshot.campaign) is None
    assert demo_archive.head() == head


def test_save_settings_over_a_version_changed_meanwhile_is_refused(demo_archive: Archive):
    svc = service(demo_archive)
    base = svc.snapshot.campaigns[2020]
    svc.campaign.save_settings(base.record.model_copy(update={"title": "别人改的"}))
    with pytest.raises(ConflictError):
        svc.campaign.save_settings(base.record.model_copy(update={"title": "我改的"}), base)


def test_a_new_year_opens_it(demo_archive: Archive):
    svc = service(demo_archive)
    result = svc.campaign.new_year(2021)
    assert result.subject.startswith("新建2021年度：沿用2020年度设置")
    assert (svc.snapshot.year, svc.snapshot.archive_year) == (2021, 2021)
    assert git_log(demo_archive, "-1") == [f"测试员|{result.subject}"]


def test_changing_the_year_of_an_unused_campaign_moves_it(empty_archive: Archive):
    svc = service(empty_archive)
    old = svc.snapshot.campaign
    saved = svc.campaign.save_settings(old.model_copy(update={"year": 2021}))
    assert saved.record.year == 2021 and svc.snapshot.year == 2021
    assert not (empty_archive.root / "campaigns/2020.toml").exists()
    assert git_log(empty_archive, "-1") == ["测试员|修改年度设置：2020年度（年度 2020 → 2021）"]


def test_the_year_of_a_campaign_in_use_cannot_change(demo_archive: Archive):
    svc = service(demo_archive)
    with pytest.raises(StoreError, match="已有 2020 年度的记录"):
        svc.campaign.save_settings(svc.snapshot.campaign.model_copy(update={"year": 2021}))


def test_roster_import_previews_then_commits_and_reads_the_archive_again(empty_archive: Archive, tmp_path):
    svc = service(empty_archive)
    path = write_roster(tmp_path / "名册.xlsx", ROWS)
    steps = []
    preview = svc.campaign.import_roster(path, dry_run=True, progress=lambda done, total, stage: steps.append(stage))
    assert preview.summary() == "新增 3 个二级党组织、6 个党支部" and not preview.problems
    assert len(git_log(empty_archive)) == 1 and not svc.snapshot.branches
    assert steps  # progress was reported
    plan = svc.campaign.import_roster(str(path))
    assert git_log(empty_archive, "-1") == [f"测试员|{plan.subject()}"]
    assert len(svc.snapshot.branches) == 6 and len(svc.snapshot.orgs) == 3


def test_a_roster_with_problems_comes_back_with_them_and_nothing_written(empty_archive: Archive, tmp_path):
    svc = service(empty_archive)
    rows = [list(r) for r in ROWS]
    rows[0][7] = "学院"
    plan = svc.campaign.import_roster(write_roster(tmp_path / "bad.xlsx", rows))
    assert len(plan.problems) == 1 and str(plan.problems[0]).startswith("名册!4 组织类型: 未知的二级党组织类型“学院”")
    assert len(git_log(empty_archive)) == 1


def test_a_roster_that_is_not_there_is_refused(empty_archive: Archive, tmp_path):
    with pytest.raises(StoreError, match="找不到文件"):
        service(empty_archive).campaign.import_roster(tmp_path / "无.xlsx")


def test_an_organisation_saves_its_own_indicators(demo_archive: Archive):
    svc = service(demo_archive)
    indicators = [Indicator(id="1", group="履职尽责", name="带头讲党课", max_points=40),
                  Indicator(id="2", group="支部建设", name="实验室安全教育", max_points=60)]
    saved = svc.campaign.save_org_indicators("chem", indicators)
    assert saved.record.indicators == indicators and svc.snapshot.org_year("chem").record.indicators == indicators
    assert git_log(demo_archive, "-1") == [
        "测试员|本单位测评指标：化学与材料学院党委 2020年度（2 项指标，合计 100 分（履职尽责 40、支部建设 60））"]
    assert svc.campaign.save_org_indicators("chem", indicators) is None  # no change, no commit
    svc.campaign.save_org_indicators("chem", [])
    assert git_log(demo_archive, "-1") == ["测试员|本单位测评指标：化学与材料学院党委 2020年度（改回使用全校参考指标）"]


# ---------------------------------------------------------------- branches


def test_save_branch_says_each_field_old_and_new(demo_archive: Archive):
    svc = service(demo_archive)
    old = svc.snapshot.branches["b0001"].record
    saved = svc.records.save_branch("b0001", old.model_copy(update={"secretary": "王芳", "members": 30}))
    assert svc.snapshot.branches["b0001"] is saved
    assert git_log(demo_archive, "-1") == [
        f"测试员|修改党支部：{old.name}（支部书记 {old.secretary} → 王芳；党员人数 {old.members} → 30）"]
    assert svc.records.save_branch("b0001", saved.record) is None


def test_save_branch_over_a_version_changed_meanwhile_is_refused(demo_archive: Archive):
    svc = service(demo_archive)
    base = svc.snapshot.branches["b0001"]
    svc.records.save_branch("b0001", base.record.model_copy(update={"secretary": "甲"}))
    with pytest.raises(ConflictError):
        svc.records.save_branch("b0001", base.record.model_copy(update={"secretary": "乙"}), base)


def _branch_of(snap, org_id: str) -> str:
    return next(b.record.id for b in sorted(snap.branches.values(), key=lambda s: s.record.id) if b.record.org == org_id)


def test_scope_exception_moves_the_branch_out_of_scope(demo_archive: Archive):
    svc = service(demo_archive)
    branch_id = _branch_of(svc.snapshot, "lang")  # lang is not finalised in the demo
    assert svc.snapshot.scope(branch_id).in_scope
    svc.records.set_scope_exception(branch_id, ScopeException(in_scope=False, reason="合并"))
    assert not svc.snapshot.scope(branch_id).in_scope
    name = svc.snapshot.branches[branch_id].record.name
    assert git_log(demo_archive, "-1") == [f"测试员|范围例外：{name} → 不纳入（合并）"]


def test_scope_exception_in_a_finalised_organisation_is_refused(demo_archive: Archive):
    svc = service(demo_archive)
    finalised = [org for org, s in svc.snapshot.org_years.items() if s.record.grading.finalised]
    assert finalised
    branch_id = _branch_of(svc.snapshot, finalised[0])
    head = demo_archive.head()
    with pytest.raises(FrozenError):
        svc.records.set_scope_exception(branch_id, ScopeException(in_scope=False, reason="合并"))
    assert demo_archive.head() == head and svc.snapshot.scope(branch_id).in_scope


# ---------------------------------------------------------------- sync


def test_sync_through_the_service_brings_the_other_side_in(demo_archive: Archive, tmp_path):
    from store.sync import clone

    central = tmp_path / "central.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    set_remote(demo_archive, str(central))
    plain_sync(demo_archive)
    school = clone(str(central), tmp_path / "school", "化学学院 王老师")
    stored = load(school).branches["b0001"]
    school.save(stored, stored.record.model_copy(update={"secretary": "学院改的"}), "修改党支部：b0001")
    plain_sync(school)

    svc = service(demo_archive)
    assert svc.sync.remote() == str(central)
    said = []
    result = svc.sync.run(progress=said.append)
    assert result.received == 1 and not result.conflicts and said
    assert svc.snapshot.branches["b0001"].record.secretary == "学院改的"  # read again
    assert svc.sync.record_name("orgs/chem/branches/b0001.toml") == svc.snapshot.branches["b0001"].record.name
    assert svc.sync.record_name("campaigns/2020.toml") is None


def test_sync_without_a_remote_says_how_to_set_one(demo_archive: Archive):
    with pytest.raises(StoreError, match="尚未设置远程档案"):
        service(demo_archive).sync.run()
