"""F8's intents on the store service: the figures from the snapshot, the statistics table
exported and read back, the work report saved and exported, the stamped scan submitted."""

from __future__ import annotations

import pytest

from schema import work_report
from schema.clock import Clock
from schema.stats import COLUMNS
from store.archive import Archive
from store.service import Service, StoreError
from tests import reporting_archive
from tests.conftest import OPERATOR, TODAY, git_log
from tests.reporting_archive import EXPECTED, EXPECTED_TOTAL
from tests.test_stats import figure, read_back
from tests.test_work_report import PDF


@pytest.fixture
def service(empty_archive: Archive) -> Service:
    service = Service(reporting_archive.build(empty_archive), Clock(fixed_today=TODAY))
    service.load()
    return service


def test_statistics_are_the_known_figures(service: Service):
    table = service.sendup.statistics()
    assert [r.id for r in table.rows] == ["phys", "hist", "pe"]
    for row in table.rows:
        assert {k: row.value(k) for _, k in COLUMNS if k != "name"} == pytest.approx(EXPECTED[row.id])
    assert {k: table.total.value(k) for _, k in COLUMNS if k != "name"} == pytest.approx(EXPECTED_TOTAL)
    assert [r.id for r in service.sendup.statistics("hist").rows] == ["hist"]


def test_export_stats_of_a_known_archive_reads_back(service: Service, tmp_path):
    head = service.archive.head()
    written = service.sendup.export_stats(tmp_path / "统计表.xlsx")
    _, _, rows = read_back(written)
    assert list(rows) == ["物理学院党委", "历史学院党总支", "体育部直属党支部", "合计"]
    for name, org_id in (("物理学院党委", "phys"), ("历史学院党总支", "hist")):
        assert {k: figure(c) for k, c in rows[name].items() if k != "name"} == pytest.approx(EXPECTED[org_id])
    one = service.sendup.export_stats(tmp_path / "phys.xlsx", org="phys")
    ws, _, rows = read_back(one)
    assert ws["A2"].value == "填报单位：物理学院党委（盖章）" and list(rows) == ["物理学院党委"]
    assert service.archive.head() == head  # exporting commits nothing


def test_export_stats_refuses_an_unknown_org_and_a_broken_record(empty_archive: Archive, tmp_path):
    archive = reporting_archive.build(empty_archive)
    path = archive.root / "orgs/hist/2020/meeting.toml"
    path.write_text(path.read_text().replace("issued = 20", "issued = -3"))
    service = Service(archive, Clock(fixed_today=TODAY))
    service.load()
    with pytest.raises(StoreError, match="没有 id 为 “nope” 的二级党组织"):
        service.sendup.export_stats(tmp_path / "t.xlsx", org="nope")
    with pytest.raises(StoreError, match="orgs/hist/2020/meeting.toml"):
        service.sendup.export_stats(tmp_path / "t.xlsx")
    service.sendup.export_stats(tmp_path / "phys.xlsx", org="phys")  # phys's own records are sound
    assert not (tmp_path / "t.xlsx").exists() and (tmp_path / "phys.xlsx").exists()


def test_work_report_is_drafted_saved_and_saved_again_from_its_version(service: Service):
    opened = service.sendup.work_report("hist")
    assert opened.version is None and opened.text.startswith("# 历史学院党总支2020年度")
    first = service.sendup.save_work_report("hist", opened.text)
    n = work_report.count(opened.text)
    assert git_log(service.archive, "-1") == [f"{OPERATOR}|工作情况报告：历史学院党总支 起草（{n} 字）"]
    assert service.snapshot.org_year("hist").record.work_report == "orgs/hist/2020/work-report.md"
    edited = first.text + "\n学院将于三月底前开展整改“回头看”。\n"
    second = service.sendup.save_work_report("hist", edited, first.version)
    assert git_log(service.archive, "-1")[0].startswith(f"{OPERATOR}|工作情况报告：历史学院党总支 修改（")
    again = service.sendup.work_report("hist")
    assert again.text == second.text and again.version == second.version and "回头看" in again.text
    with pytest.raises(StoreError):  # saving over a version that is no longer there is a conflict
        service.sendup.save_work_report("hist", "旧的", first.version)


def test_export_work_report_refuses_over_3000_and_writes_under(service: Service, tmp_path):
    long = service.sendup.draft_work_report("phys") + "\n" + "整改措施落实到位。" * 400
    n = work_report.count(long)
    with pytest.raises(StoreError, match=f"工作情况报告共 {n} 字，超过 3000 字的限制，未导出"):
        service.sendup.export_work_report("phys", tmp_path / "long.docx", long)
    assert not (tmp_path / "long.docx").exists()
    written = service.sendup.export_work_report("phys", tmp_path / "phys.md")  # not saved: the draft
    assert written.read_text() == service.sendup.draft_work_report("phys")


def test_submit_scan_marks_submitted_and_progress_follows(service: Service, tmp_path):
    before = {p.id: p for p in service.sendup.progress()}
    assert before["phys"].submitted is None and before["pe"].applicable is False
    scan = tmp_path / "盖章扫描件.pdf"
    scan.write_bytes(PDF)
    submission = service.sendup.submit_scan("phys", scan)
    assert submission.submitted == TODAY and (service.archive.root / submission.scan.path).read_bytes() == PDF
    assert git_log(service.archive, "-1") == [f"{OPERATOR}|报送：物理学院党委 上传盖章扫描件 盖章扫描件.pdf"]
    assert service.snapshot.org_year("phys").record.submission == submission
    after = {p.id: p for p in service.sendup.progress()}
    assert after["phys"].submitted == TODAY
    assert [i.done for i in after["phys"].checklist.items] == [False, False, True]


def test_a_file_that_is_not_a_scan_is_refused(service: Service, tmp_path):
    fake = tmp_path / "scan.pdf"
    fake.write_text("not a pdf")
    head, snapshot = service.archive.head(), service.snapshot
    with pytest.raises(StoreError, match="scan.pdf 的内容不是 PDF 文件"):
        service.sendup.submit_scan("phys", fake)
    assert service.archive.head() == head and service.snapshot is snapshot
