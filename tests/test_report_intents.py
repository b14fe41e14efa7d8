"""F4's intents on the store service: each validates, commits one change with its Chinese
message and hands the new records to the service's snapshot; a refused one commits nothing."""

from __future__ import annotations

import docx
import pytest

from schema.clock import Clock
from schema.kinds import ReportStatus
from schema.records import ReportSettings
from schema.report import ReportAction, parse_report, report_words
from store.archive import Archive
from store.service import Service, StoreError
from tests.conftest import OPERATOR, TODAY, git_log

TITLES = ReportSettings().sections
ARCHIVED = "b0004"  # the demo's chem branch whose report is archived
RETURNED = "b0062"  # logi, returned with a comment
NOT_STARTED = "b0064"  # logi, no report yet


@pytest.fixture
def service(demo_archive: Archive) -> Service:
    service = Service(demo_archive, Clock(fixed_today=TODAY))
    service.load()
    return service


def refused(service: Service, call, match: str) -> None:
    head = service.archive.head()
    before = service.snapshot
    with pytest.raises(StoreError, match=match):
        call()
    assert service.archive.head() == head and service.snapshot is before
    assert service.archive.git.run("status", "--porcelain") == ""


@pytest.mark.parametrize("action", [ReportAction.SUBMIT, ReportAction.RETURN, ReportAction.APPROVE, ReportAction.ARCHIVE])
def test_moving_an_archived_report_is_refused(service: Service, action):
    assert service.snapshot.review(ARCHIVED).record.report.status == ReportStatus.ARCHIVED
    refused(service, lambda: service.reports.move(ARCHIVED, action, "意见"), f"当前为“已归档”，不能{action.value}")


def test_an_archived_report_refuses_edits_and_imports(service: Service, tmp_path):
    source = tmp_path / "r.md"
    source.write_text("## 个人履职\n\n新内容。\n", encoding="utf-8")
    refused(service, lambda: service.reports.save_text(ARCHIVED, "改了"), "当前为“已归档”，不能修改")
    refused(service, lambda: service.reports.import_file(ARCHIVED, source), "当前为“已归档”，不能导入")


@pytest.mark.parametrize("action, message", [
    (ReportAction.RETURN, "退回修改须填写审阅意见。"),
    (ReportAction.APPROVE, "当前为“退回修改”，不能审定"),
])
def test_a_step_the_workflow_does_not_allow_is_refused(service: Service, action, message):
    if action == ReportAction.RETURN:
        service.reports.move(RETURNED, ReportAction.SUBMIT)
    refused(service, lambda: service.reports.move(RETURNED, action, "  "), message)


def test_save_text_commits_and_the_snapshot_follows(service: Service):
    name = service.snapshot.branches[NOT_STARTED].record.name
    text = "## 一、个人履职\n\n本人认真履行职责。\n"
    saved = service.reports.save_text(NOT_STARTED, text)
    assert git_log(service.archive, "-1") == [f"{OPERATOR}|修改述职报告：{name}（字数 {report_words(text)}）"]
    assert saved.doc.text == text and (service.archive.root / saved.doc.path).read_text() == text
    assert service.snapshot.review(NOT_STARTED) == saved.review
    assert saved.review.record.report.words == report_words(text)
    again = service.reports.save_text(NOT_STARTED, text + "\n补充。\n", saved.doc)  # the returned doc is the next base
    assert again.doc.version != saved.doc.version
    with pytest.raises(StoreError):  # a save from the text as it was before is a conflict
        service.reports.save_text(NOT_STARTED, text + "\n另一处修改。\n", saved.doc)


def test_move_through_review_with_the_operator_and_the_clock(service: Service):
    name = service.snapshot.branches[RETURNED].record.name
    service.reports.move(RETURNED, ReportAction.SUBMIT, text="## 一、个人履职\n\n改好了。\n", allow_empty=True)
    service.reports.move(RETURNED, ReportAction.RETURN, "请补充数据", section=2)
    service.reports.move(RETURNED, ReportAction.SUBMIT, allow_empty=True)
    service.reports.move(RETURNED, ReportAction.APPROVE, allow_empty=True)
    saved = service.reports.move(RETURNED, "归档", allow_empty=True)
    assert git_log(service.archive, "-5")[::-1] == [
        f"{OPERATOR}|述职报告提交：{name}", f"{OPERATOR}|述职报告退回修改：{name}", f"{OPERATOR}|述职报告提交：{name}",
        f"{OPERATOR}|述职报告审定：{name}", f"{OPERATOR}|述职报告归档：{name}",
    ]
    part = service.snapshot.review(RETURNED).record.report
    assert part == saved.review.record.report and part.status == ReportStatus.ARCHIVED
    assert part.comments[-1].section == 2 and part.comments[-1].text == "请补充数据"
    assert part.history[-1].at.startswith(TODAY.isoformat()) and part.history[-1].by == OPERATOR
    assert "改好了。" in (service.archive.root / part.file).read_text()


def test_save_facts_commits_the_change_and_nothing_when_unchanged(service: Service):
    facts = service.snapshot.review(NOT_STARTED).record.facts
    head = service.archive.head()
    assert service.reports.save_facts(NOT_STARTED, facts) is None and service.archive.head() == head
    saved = service.reports.save_facts(NOT_STARTED, facts.model_copy(update={"party_lectures": 7}))
    assert saved.message.startswith("修改支部数据：后勤集团第四党支部（党课 ") and saved.message.endswith("→ 7）")
    assert git_log(service.archive, "-1") == [f"{OPERATOR}|{saved.message}"]
    assert service.snapshot.review(NOT_STARTED).record.facts.party_lectures == 7


def test_import_file_replaces_the_text_with_notices(service: Service, tmp_path):
    source = tmp_path / "r.md"
    source.write_text("## 个人履职\n\n甲。\n\n## 思想政治工作\n\n乙。\n", encoding="utf-8")
    saved = service.reports.import_file(RETURNED, source)
    assert parse_report(saved.doc.text, TITLES).sections[:3] == ["甲。", "", "乙。"]
    assert saved.notices and "未找到以下部分的标题" in saved.notices[0]
    assert git_log(service.archive, "-1")[0].startswith(f"{OPERATOR}|导入述职报告：后勤集团第二党支部（r.md，字数 ")
    assert service.snapshot.review(RETURNED).record.report.words == report_words(saved.doc.text)
    assert service.reports.open(RETURNED).doc == saved.doc


def test_export_an_organisation_or_branches_and_refuse_when_nothing_is_written(service: Service, tmp_path):
    head = service.archive.head()
    exported = service.reports.export("logi", tmp_path / "logi.docx")
    assert exported.count == 3 and exported.path == (tmp_path / "logi.docx").resolve()
    titles = [p.text for p in docx.Document(str(exported.path)).paragraphs if p.style.name == "Heading 1"]
    assert titles[0] == "后勤集团第一党支部书记2020年度述职报告"
    one = service.reports.export([RETURNED], tmp_path / "one.md")
    assert one.count == 1 and one.path.read_text().startswith("# 后勤集团第二党支部书记2020年度述职报告\n")
    with pytest.raises(StoreError, match="还没有撰写的述职报告"):
        service.reports.export([NOT_STARTED], tmp_path / "none.md")
    assert not (tmp_path / "none.md").exists() and service.archive.head() == head
