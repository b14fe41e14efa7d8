"""Hostile files (issue 16): every xlsx and docx shuping reads is checked from its zip directory
before parsing, a password-protected file and formulas without computed values are named as
such, and a stamped scan must be a whole PDF or image. Each file here is generated small and
fast, gets its own message, and changes nothing (HEAD stays where it was)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from store import zipcheck
from store.archive import Archive
from store.errors import StoreError
from store.roster import FORMULA_UNCOMPUTED, RosterError, import_roster, read_roster
from store.service import Service
from tests.conftest import TODAY
from tests.test_roster import ROWS, write_roster
from tests.test_work_report import PDF

PASSWORD = "文件有密码保护，请先在 Excel 中取消密码后再导入"


def head(archive: Archive) -> str:
    return archive.git.run("rev-parse", "HEAD")


def roster_refused(archive: Archive, path: Path, *expected: str) -> str:
    before = head(archive)
    with pytest.raises(StoreError) as e:
        import_roster(archive, path, today=TODAY)
    message = str(e.value)
    for text in expected:
        assert text in message
    assert "Traceback" not in message and head(archive) == before
    return message


def rezip(source: Path, target: Path, extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None,
          method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of an Office file with members added or replaced (deflated, unless ``method``)."""
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, "w", method) as out:
        for info in z.infolist():
            out.writestr(info.filename, (replace or {}).get(info.filename, z.read(info.filename)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


# ---------------------------------------------------------------- workbooks


def test_a_zip_bomb_workbook_is_refused_with_its_numbers(empty_archive: Archive, tmp_path: Path):
    good = write_roster(tmp_path / "good.xlsx", ROWS)
    strings = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
              + b"<si><t>a</t></si>" * 600_000 + b"</sst>"  # 10 MB that deflate to about 30 kB
    member = {"xl/sharedStrings.xml": strings}
    has_strings = "xl/sharedStrings.xml" in zipfile.ZipFile(good).namelist()
    bomb = rezip(good, tmp_path / "名册.xlsx", **({"replace": member} if has_strings else {"extra": member}))
    assert bomb.stat().st_size < 3 * 2**20
    message = roster_refused(empty_archive, bomb, "名册.xlsx", "xl/sharedStrings.xml", "压缩比", f"{zipcheck.MAX_RATIO}:1")
    assert "MB" in message


def test_a_workbook_larger_than_the_limit_unpacked_is_refused(empty_archive: Archive, tmp_path: Path, monkeypatch):
    import os

    monkeypatch.setattr(zipcheck, "MAX_UNCOMPRESSED", 2**20)  # the real limit (256 MB) would take long to write
    big = rezip(write_roster(tmp_path / "good.xlsx", ROWS), tmp_path / "大.xlsx", extra={"xl/media/image1.bin": os.urandom(2**20)})
    roster_refused(empty_archive, big, "大.xlsx", "解压后共", "超过上限 1.0 MB")


def test_a_workbook_with_too_many_members_is_refused(empty_archive: Archive, tmp_path: Path):
    many = rezip(write_roster(tmp_path / "good.xlsx", ROWS), tmp_path / "多.xlsx",
                 extra={f"xl/media/{n}.txt": b"" for n in range(zipcheck.MAX_MEMBERS + 1)})
    roster_refused(empty_archive, many, "多.xlsx", "个成员", f"超过上限 {zipcheck.MAX_MEMBERS}")


def test_a_password_protected_workbook_says_so(empty_archive: Archive, tmp_path: Path):
    """A real encrypted xlsx (msoffcrypto-tool writes what Excel writes: an OLE compound file)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(write_roster(tmp_path / "plain.xlsx", ROWS).read_bytes())
    locked = tmp_path / "加密.xlsx"
    with locked.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    assert locked.read_bytes()[:8] == zipcheck.CFB_MAGIC
    message = roster_refused(empty_archive, locked, "加密.xlsx", PASSWORD)
    assert "不是有效的" not in message


def test_a_file_that_is_not_a_workbook_says_so(empty_archive: Archive, tmp_path: Path):
    fake = tmp_path / "名册.xlsx"
    fake.write_text("<html>not a workbook</html>")
    roster_refused(empty_archive, fake, "名册.xlsx", "不是有效的 xlsx 文件")


def test_formula_cells_without_computed_values_say_so_where(empty_archive: Archive, tmp_path: Path):
    """openpyxl writes formulas without their values, as do other programs; only Excel computes them."""
    rows = [list(r) for r in ROWS]
    rows[1][0] = '=CONCATENATE("化学学院","第二党支部")'  # 党支部名称, required
    path = write_roster(tmp_path / "公式.xlsx", rows)
    found = read_roster(path)
    mine = [p for p in found.problems if p.row == 5]
    assert [str(p) for p in mine] == [f"名册!5 党支部名称: {FORMULA_UNCOMPUTED}"]
    before = head(empty_archive)
    with pytest.raises(RosterError) as e:
        import_roster(empty_archive, path, today=TODAY)
    assert FORMULA_UNCOMPUTED in str(e.value) and "名册!5 党支部名称: 必填，不能为空" not in str(e.value)
    assert head(empty_archive) == before


def test_a_formula_with_its_value_is_read_as_the_value(tmp_path: Path):
    """Excel saves a formula with its result: that is a value like any other."""
    path = write_roster(tmp_path / "ok.xlsx", ROWS)
    sheet = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(path).read(sheet)
    first = ROWS[0][0].encode()
    # the first branch's name written as a computed formula (inline string result), as Excel saves it
    cell = xml.index(b"<c r=\"A4\"")
    end = xml.index(b"</c>", cell) + 4
    computed = b'<c r="A4" t="str"><f>"' + first + b'"</f><v>' + first + b"</v></c>"
    fixed = rezip(path, tmp_path / "computed.xlsx", replace={sheet: xml[:cell] + computed + xml[end:]})
    assert zipcheck.formulas_without_values(fixed) == {}
    assert not [p for p in read_roster(fixed).problems if FORMULA_UNCOMPUTED in p.message]


# ---------------------------------------------------------------- Word documents


@pytest.fixture
def service(demo_archive: Archive) -> Service:
    svc = Service(demo_archive)
    svc.load()
    return svc


def importable_branch(service: Service) -> str:
    from schema.kinds import ReportStatus

    for branch_id in sorted(service.snapshot.branches):
        if service.snapshot.review(branch_id).record.report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            return branch_id
    pytest.skip("the demo has no report open for import")


def report_refused(service: Service, path: Path, *expected: str) -> None:
    branch = importable_branch(service)
    before = head(service.archive)
    with pytest.raises(StoreError) as e:
        service.reports.import_file(branch, path)
    for text in expected:
        assert text in str(e.value)
    assert head(service.archive) == before


def report_docx(path: Path, body: str = "正文") -> Path:
    import docx

    document = docx.Document()
    document.add_heading("一、履职情况", level=1)
    document.add_paragraph(body)
    document.save(str(path))
    return path


def test_a_docx_of_whitespace_is_refused_not_a_traceback(service: Service, tmp_path: Path):
    plain = report_docx(tmp_path / "plain.docx")
    xml = zipfile.ZipFile(plain).read("word/document.xml")
    spaces = xml.replace("正文".encode(), b" " * (12 * 2**20))  # 12 MB of whitespace in one paragraph
    bomb = rezip(plain, tmp_path / "述职报告.docx", replace={"word/document.xml": spaces})
    report_refused(service, bomb, "述职报告.docx", "word/document.xml", "压缩比")


def test_a_docx_with_a_huge_text_node_gives_a_message(service: Service, tmp_path: Path):
    """11 MB of text that does not compress: past the XML parser's limit on one text node."""
    import base64
    import os

    plain = report_docx(tmp_path / "plain.docx")
    xml = zipfile.ZipFile(plain).read("word/document.xml")
    huge = rezip(plain, tmp_path / "长.docx",
                 replace={"word/document.xml": xml.replace("正文".encode(), base64.b64encode(os.urandom(8 * 2**20)))},
                 method=zipfile.ZIP_STORED)  # quick to write: the size, not the ratio, is what matters here
    report_refused(service, huge, "长.docx", "文件已损坏或不是 .docx 格式")


def test_a_password_protected_docx_says_so(service: Service, tmp_path: Path):
    locked = tmp_path / "加密.docx"
    locked.write_bytes(zipcheck.CFB_MAGIC + bytes(504))  # the header every OLE compound file starts with
    report_refused(service, locked, "加密.docx", "文件有密码保护，请先在 Word 中取消密码后再导入")


# ---------------------------------------------------------------- stamped scans


def scan_refused(service: Service, path: Path, *expected: str) -> None:
    before = head(service.archive)
    with pytest.raises(StoreError) as e:
        service.sendup.submit_scan("chem", path)
    for text in expected:
        assert text in str(e.value)
    assert head(service.archive) == before


def test_a_pdf_header_over_html_is_refused(service: Service, tmp_path: Path):
    fake = tmp_path / "盖章扫描件.pdf"
    fake.write_bytes("%PDF-1.4\n<html><body>登录页面</body></html>\n".encode())
    scan_refused(service, fake, "盖章扫描件.pdf 不是完整的 PDF 文件")


def test_a_truncated_png_is_refused(service: Service, tmp_path: Path):
    from PIL import Image

    image = Image.effect_noise((200, 200), 64)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    data = buffer.getvalue()
    cut = tmp_path / "扫描.png"
    cut.write_bytes(data[: len(data) // 2])
    scan_refused(service, cut, "扫描.png 不是完整的 PNG 文件")
    whole = tmp_path / "完整.png"
    whole.write_bytes(data)
    assert service.sendup.submit_scan("chem", whole).scan.name == "完整.png"


def test_a_whole_pdf_is_accepted(service: Service, tmp_path: Path):
    scan = tmp_path / "盖章扫描件.pdf"
    scan.write_bytes(PDF)
    before = head(service.archive)
    service.sendup.submit_scan("chem", scan)
    assert head(service.archive) != before
