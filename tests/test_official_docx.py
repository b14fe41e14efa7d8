"""The .docx that go on paper are in 公文 format (GB/T 9704-2012) unless the archive's settings
turn it off (issue 16): each document is read back as XML — page, margins, grid, fonts on every
run, line spacing, page numbers, the organisation and date at the end.

With LibreOffice installed (not on CI), a long work report is rendered to PDF and every full
page must hold 22 lines of 28 characters; the test is skipped where ``soffice`` or ``pdftotext`` is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from schema.clock import Clock
from schema.records import ArchiveSettings, Feedback
from store import layout
from store.archive import Archive
from store.official_docx import BLANK_DATE, char_space, line_pitch
from store.service import Service
from tests import reporting_archive
from tests.conftest import TODAY

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
A4 = (11906, 16838)  # twips
MARGINS = {"top": 2098, "bottom": 1984, "left": 1587, "right": 1474}  # 37/35/28/26 mm in twips
FONTS = {  # style id → (East Asian font, size in half-points)
    "Normal": ("仿宋_GB2312", 32),
    "Title": ("方正小标宋简体", 44),
    "Heading1": ("黑体", 32),
    "Heading2": ("楷体_GB2312", 32),
}
DELIVERED = date(2021, 1, 22)


@pytest.fixture
def service(empty_archive: Archive) -> Service:
    service = Service(reporting_archive.build(empty_archive), Clock(fixed_today=TODAY))
    service.load()
    return service


def _xml(path: Path, part: str):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def _parts(path: Path, prefix: str) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith(prefix)]


def _text(p) -> str:
    return "".join(p.itertext())


def _check_official(path: Path, title_style: str = "Title", heading1: str = "Heading1",
                    heading2: str = "Heading2") -> list:
    """Everything the standard fixes, read from the file; returns the body's paragraphs."""
    doc = _xml(path, "word/document.xml")
    sect = doc.find(".//w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (int(size.get(f"{W}w")), int(size.get(f"{W}h"))) == A4
    margins = sect.find("w:pgMar", NS)
    assert {k: int(margins.get(f"{W}{k}")) for k in MARGINS} == MARGINS
    grid = sect.find("w:docGrid", NS)
    assert grid.get(f"{W}type") == "linesAndChars"
    assert int(grid.get(f"{W}linePitch")) == line_pitch() == 579  # 28.95 pt
    # 28 characters fit the 156 mm line at the grid's pitch, 29 do not; 22 lines fit 225 mm
    width = A4[0] - MARGINS["left"] - MARGINS["right"]
    pitch = (16 + int(grid.get(f"{W}charSpace")) / 4096) * 20
    assert int(grid.get(f"{W}charSpace")) == char_space() and 28 * pitch <= width < 29 * pitch
    height = A4[1] - MARGINS["top"] - MARGINS["bottom"]
    assert 22 * 579 <= height < 23 * 579

    styles = _xml(path, "word/styles.xml")
    expected = {"Normal": FONTS["Normal"], title_style: FONTS["Title"], heading1: FONTS["Heading1"],
                heading2: FONTS["Heading2"]}
    for style_id, (east, size) in expected.items():
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        fonts = style.find("w:rPr/w:rFonts", NS)
        assert fonts.get(f"{W}eastAsia") == east, style_id
        assert fonts.get(f"{W}ascii") and fonts.get(f"{W}asciiTheme") is None, style_id
        assert int(style.find("w:rPr/w:sz", NS).get(f"{W}val")) == size, style_id
        spacing = style.find("w:pPr/w:spacing", NS)
        assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("579", "exact"), style_id
        assert style.find("w:pPr/w:pBdr", NS) is None, style_id  # no rule under the title
        assert style.find("w:rPr/w:color", NS) is None, style_id
    title = styles.find(f"w:style[@w:styleId='{title_style}']", NS)
    assert title.find("w:pPr/w:jc", NS).get(f"{W}val") == "center"

    # the East Asian font named on every run, and the one of its paragraph's style
    paragraphs = doc.findall(".//w:body//w:p", NS)
    runs = 0
    for p in paragraphs:
        style = p.find("w:pPr/w:pStyle", NS)
        style_id = style.get(f"{W}val") if style is not None else "Normal"
        for r in p.findall(".//w:r", NS):
            fonts = r.find("w:rPr/w:rFonts", NS)
            assert fonts is not None and fonts.get(f"{W}eastAsia"), _text(p)
            if style_id in expected:
                assert fonts.get(f"{W}eastAsia") == expected[style_id][0], _text(p)
            runs += 1
    assert runs

    # “— 1 —” in 4号 宋体: odd pages right, even pages left
    footers = _parts(path, "word/footer")
    assert len(footers) == 2
    for part in footers:
        footer = _xml(path, part)
        assert "PAGE" in "".join(footer.xpath(".//w:instrText/text()", namespaces=NS))
        assert "".join(footer.xpath(".//w:t/text()", namespaces=NS)) == "— 1 —"
        for r in footer.findall(".//w:r", NS):
            assert r.find("w:rPr/w:rFonts", NS).get(f"{W}eastAsia") == "宋体"
            assert r.find("w:rPr/w:sz", NS).get(f"{W}val") == "28"
    assert _xml(path, "word/settings.xml").find("w:evenAndOddHeaders", NS) is not None
    return paragraphs


def _signed(paragraphs, org: str, day: str) -> None:
    """The organisation and the date end the text, right-aligned."""
    filled = [p for p in paragraphs if _text(p).strip()]
    assert [_text(p) for p in filled[-2:]] == [org, day]
    for p in filled[-2:]:
        assert p.find("w:pPr/w:jc", NS).get(f"{W}val") == "right"
    # the date four characters in from the right, the organisation centred over it
    org_indent, date_indent = (int(p.find("w:pPr/w:ind", NS).get(f"{W}right")) for p in filled[-2:])
    assert date_indent == 4 * 320
    centre = lambda indent, text: indent + sum(160 if ord(c) < 0x2E80 else 320 for c in text) / 2  # noqa: E731
    assert abs(centre(org_indent, org) - centre(date_indent, day)) <= 1


def test_work_report_is_in_official_format(service: Service, tmp_path: Path):
    path = service.sendup.export_work_report("phys", tmp_path / "报告.docx")
    paragraphs = _check_official(path)
    _signed(paragraphs, "物理学院党委", "2021年1月20日")
    titles = [_text(p) for p in paragraphs if p.find("w:pPr/w:pStyle[@w:val='Title']", NS) is not None]
    assert titles == ["物理学院党委2020年度党支部书记述职评议考核工作情况报告"]


def test_feedback_and_announcement_are_in_official_format(service: Service, tmp_path: Path):
    branch = service.grading.branch_ids("phys")[0]
    service.followup.save_feedback(branch, Feedback(delivered=DELIVERED))
    service.followup.set_announcement_scope("phys", "学院全体党员")
    feedback, announcement, _ = service.followup.export("phys", tmp_path / "out")
    paragraphs = _check_official(feedback, heading1="Heading1")
    text = "\n".join(_text(p) for p in paragraphs)
    assert "未反馈" not in text
    assert text.count("反馈日期：2021年1月22日") == 1
    assert f"反馈日期：{BLANK_DATE}" in text  # the others: a blank to fill in by hand
    _signed(paragraphs, "物理学院党委", BLANK_DATE)  # the last branch has not been given its feedback yet
    dates = [_text(p) for p in paragraphs if p.find("w:pPr/w:jc[@w:val='right']", NS) is not None]
    assert "2021年1月22日" in dates
    paragraphs = _check_official(announcement)
    _signed(paragraphs, "物理学院党委", "2021年1月20日")
    cells = _xml(announcement, "word/document.xml").findall(".//w:tbl//w:r", NS)
    assert cells and all(r.find("w:rPr/w:rFonts", NS).get(f"{W}eastAsia") == "仿宋_GB2312" for r in cells)


def test_exported_reports_are_in_official_format(service: Service, tmp_path: Path):
    service.reports.save_text("h03", "## 一、个人履职\n\n我认真履行职责。\n\n### （一）理论学习\n\n按时学习。\n")
    exported = service.reports.export("hist", tmp_path / "述职报告.docx")
    paragraphs = _check_official(exported.path, title_style="Heading1", heading1="Heading2", heading2="Heading3")
    assert "我认真履行职责。" in [_text(p) for p in paragraphs]


def test_the_setting_turns_it_off_for_every_exporter(service: Service, tmp_path: Path):
    stored = service.archive.read(ArchiveSettings, layout.SETTINGS)
    assert stored.record.official_format is True  # the default
    service.archive.save(stored, stored.record.model_copy(update={"official_format": False}), "测试：关闭公文格式")
    service.reload()
    service.reports.save_text("h03", "## 一、个人履职\n\n我认真履行职责。\n")
    written = [service.sendup.export_work_report("phys", tmp_path / "报告.docx"),
               *service.followup.export("phys", tmp_path / "out")[:2],
               service.reports.export("hist", tmp_path / "述职报告.docx").path]
    for path in written:
        grid = _xml(path, "word/document.xml").find(".//w:body/w:sectPr/w:docGrid", NS)
        assert grid.get(f"{W}type") is None, path.name
        assert not _parts(path, "word/footer"), path.name
        normal = _xml(path, "word/styles.xml").find("w:style[@w:styleId='Normal']/w:rPr/w:rFonts", NS)
        assert normal.get(f"{W}eastAsia") == "宋体", path.name  # Chinese still has a Chinese font
        assert "未反馈" not in "".join(_xml(path, "word/document.xml").itertext())


# ---------------------------------------------------------------- rendered by LibreOffice


def _render_pdf(docx: Path) -> Path:
    """soffice in its own session and profile, killed with its children if it hangs."""
    profile = docx.parent / "lo-profile"
    proc = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(docx.parent), str(docx)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=180)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin and any helper it left
        except ProcessLookupError:
            pass
    return docx.with_suffix(".pdf")


def lines_per_page(pdf: Path) -> list[int]:
    """Lines of text on each page, the page number's line (“— 2 —”) not counted."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [sum(1 for line in page.splitlines() if line.strip() and not re.fullmatch(r"\s*—\s*\d+\s*—\s*", line))
            for page in pages]


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice 或 pdftotext 未安装")
def test_libreoffice_prints_22_lines_a_page(service: Service, tmp_path: Path):
    paragraph = "本单位严格对照通知要求，逐项落实述职评议考核各环节工作，确保考核结果客观公正。"
    body = "\n\n".join(paragraph * (1 + n % 3) for n in range(18))
    text = f"# 测试报告\n\n## 一、工作开展情况\n\n{body}\n\n## 二、评议结果\n\n{body}\n"
    service.sendup.save_work_report("phys", text)
    path = service.sendup.export_work_report("phys", tmp_path / "长报告.docx")
    pdf = _render_pdf(path)
    assert pdf.exists()
    counts = lines_per_page(pdf)
    assert len(counts) >= 4
    full = counts[1:-1]  # the first has the title's blank line, the last is not full
    assert full == [22] * len(full), counts
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    widths = Counter(len(line.replace(" ", "")) for line in text.splitlines() if line.strip())
    assert widths.most_common(1)[0][0] == 28, widths  # a full line: 28 characters
