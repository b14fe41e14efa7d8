"""The work report: drafted from records, edited and saved, exported as .docx/.md under the
3000 字 limit; the stamped scan and the submission checklist."""

from __future__ import annotations

import hashlib
import json

import pytest
from docx import Document

from schema import work_report
from schema.records import OrgYear
from store import layout
from store.sendup import attach_scan, checklists
from store.sendup import draft as draft_for
from store.snapshot import load
from store.work_report import save, saved_text
from tests import reporting_archive
from tests.conftest import TODAY, git_log
from tests.test_cli import shuping

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def known(empty_archive):
    return reporting_archive.build(empty_archive)


def test_docx_has_the_headings_and_the_weak_branches(known, tmp_path):
    out = tmp_path / "报告.docx"
    result = shuping("export", "work-report", "--org", "phys", "-o", str(out), "--archive", str(known.root))
    assert result.returncode == 0, result.stderr
    doc = Document(str(out))
    by_style = {}
    for p in doc.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Title"] == ["物理学院党委2020年度党支部书记述职评议考核工作情况报告"]
    assert by_style["Heading 1"] == list(work_report.SECTIONS)
    # the 一般/差 list: 差 first, each with its grade
    assert by_style["Heading 2"] == ["物理学院第7党支部（书记：书记7，考核结果：差）", "物理学院第6党支部（书记：书记6，考核结果：一般）"]
    body = "\n".join(by_style["Normal"])
    assert "2021年1月15日，在学院报告厅召开二级党委委员会扩大会议" in body
    assert "学校党委组织部王晓明列席会议" in body
    assert "评定“好”等次2个、“较好”等次3个、“一般”等次1个、“差”等次1个" in body
    assert "本单位“好”等次上限为2个，符合“好”等次不超过30%的要求" in body
    assert "主要原因：组织生活不规范，党费收缴不及时。" in body
    assert "2个党支部列出整改任务共5项（未开始1项、整改中1项、已完成2项、已销号1项），完成率60.0%（已完成和已销号）。" in body
    tasks = by_style["List Bullet"]
    assert "问题1——措施1，责任人支委，2021年3月1日前完成（未开始）。" in tasks
    assert f"（{work_report.count(draft_for(load(known), 'phys'))} 字）" in result.stdout


def test_draft_without_meeting_or_grades_says_what_is_pending(demo_archive):
    text = draft_for(load(demo_archive), "logi")
    assert "述职评议会尚未召开" in text and "综合考核等次尚未评定" in text
    assert text.startswith("# 后勤集团党总支2020年度党支部书记述职评议考核工作情况报告\n")


def test_saved_edit_is_committed_and_exported_as_markdown(known, tmp_path):
    r = load(known)
    text = draft_for(r, "hist").replace("## 四、整改落实安排", "## 四、整改落实安排\n\n学院将于三月底前开展整改“回头看”。")
    save(known, r, "hist", text, None, "编辑")
    stored = known.read(OrgYear, layout.org_year_path("hist", 2020))
    assert stored.record.work_report == "orgs/hist/2020/work-report.md"
    assert git_log(known)[0] == f"测试员|工作情况报告：历史学院党总支 编辑（{work_report.count(text)} 字）"
    saved, version = saved_text(known, load(known).org_year("hist").record)
    assert "回头看" in saved and version
    out = tmp_path / "hist.md"
    result = shuping("export", "work-report", "--org", "hist", "-o", str(out), "--archive", str(known.root))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == saved
    # the 历史学院 gave 1 好 among 3: the draft says the quota is broken
    assert "超过“好”等次不超过30%的要求" in saved


def test_over_3000_is_refused_with_its_count(known, tmp_path):
    r = load(known)
    long = draft_for(r, "phys") + "\n" + "整改措施落实到位。" * 400
    n = work_report.count(long)
    assert n > 3000
    save(known, r, "phys", long, None)
    for name in ("too-long.docx", "too-long.md"):
        result = shuping("export", "work-report", "--org", "phys", "-o", str(tmp_path / name), "--archive", str(known.root))
        assert result.returncode == 2
        assert f"工作情况报告共 {n} 字，超过 3000 字的限制，未导出" in result.stderr
        assert not (tmp_path / name).exists()


def test_markdown_marks_are_not_counted():
    assert work_report.count("# 标题\n\n## 一、情况\n\n- 第一项\n**加粗**") == work_report.count("标题\n一、情况\n第一项\n加粗")


def test_scan_is_stored_with_its_hash_and_the_checklist_follows(known, tmp_path):
    scan = tmp_path / "盖章扫描件.pdf"
    scan.write_bytes(PDF)
    r = load(known)
    before = checklists(known, r, TODAY)["phys"]
    assert [i.done for i in before.items] == [False, False, False] and before.overdue == 0
    save(known, r, "phys", draft_for(r, "phys"), None)
    submission = attach_scan(known, load(known), "phys", scan, TODAY).submission
    digest = hashlib.sha256(PDF).hexdigest()
    assert submission.scan.sha256 == digest and submission.submitted == TODAY
    assert (known.root / submission.scan.path).read_bytes() == PDF
    assert git_log(known)[0] == "测试员|报送：物理学院党委 上传盖章扫描件 盖章扫描件.pdf"
    assert f"SHA-256: {digest}" in known.history(limit=1)[0].body
    after = checklists(known, load(known), TODAY)["phys"]
    assert [(i.name, i.done) for i in after.items] == [("统计表（附件2）", False), ("工作情况报告", True), ("盖章扫描件", True)]
    assert after.items[0].state == "等次未定稿（已评定 7/7）"


def test_a_scan_that_is_not_a_pdf_is_refused(known, tmp_path):
    fake = tmp_path / "scan.pdf"
    fake.write_text("not a pdf")
    head = known.head()
    result = shuping("submit", "--org", "phys", "--scan", str(fake), "--archive", str(known.root))
    assert result.returncode == 2 and "scan.pdf 的内容不是 PDF 文件" in result.stderr
    assert known.head() == head


def test_status_lists_every_organisation_and_marks_overdue(known, tmp_path):
    scan = tmp_path / "s.pdf"
    scan.write_bytes(PDF)
    assert shuping("submit", "--org", "hist", "--scan", str(scan), "--archive", str(known.root)).returncode == 0
    result = shuping("status", "--archive", str(known.root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2020年度 报送截止 2021年1月30日，还有 10 天（今天 2021年1月20日）"
    assert "历史学院党总支（hist）：已报送 2021年1月20日（材料未齐备）" in lines
    assert "  ✓ 盖章扫描件：已上传 s.pdf，2021年1月20日" in lines
    assert "体育部直属党支部（pe）：无纳入述职评议考核的党支部，无需报送" in lines
    import os
    import subprocess
    import sys

    late = subprocess.run([sys.executable, "-m", "tui", "status", "--json", "--archive", str(known.root)],
                          capture_output=True, text=True, env={**os.environ, "SHUPING_TODAY": "2021-02-02"})
    data = json.loads(late.stdout)
    phys = next(o for o in data["organisations"] if o["id"] == "phys")
    assert phys["overdue"] == 3 and [i["overdue"] for i in phys["items"]] == [True, True, True]


@pytest.mark.parametrize("observers, named", [
    (["组织部 廖欣远"], "廖欣远"),
    (["学校党委组织部 李四", "党委组织部张三", "王晓明"], "李四、张三、王晓明"),
    (["组织部"], "派员"),
])
def test_observers_are_named_once_after_the_department(observers, named):
    assert work_report.observer_names(observers) == named


def test_demo_report_names_the_observer_and_who_reported(demo_archive):
    state = load(demo_archive)
    text = draft_for(state, "chem")
    observer = state.meetings["chem"].record.observers[0].removeprefix("组织部 ")
    assert f"学校党委组织部{observer}列席会议。" in text and "组织部组织部" not in text
    # the twelve secretaries the meeting rated reported, one of them in writing
    assert "实际述职12个，其中现场述职11个、书面述职1个。" in text
