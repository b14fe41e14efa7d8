"""The .docx import drops nothing silently: footnotes, endnotes, comments, header and footer
text each give a notice; tracked changes are imported as Word's “accept all” shows them
(inserted text kept, deleted and moved-away text left out) with a notice; a text box's text
is merged into its paragraph once, with a notice; headings numbered by Word's automatic
lists (on the paragraph or its style) are found by the number Word shows. Export embeds the
report's pictures, so export then import gives back the same image."""

from __future__ import annotations

import pytest

from schema.clock import Clock
from schema.records import ReportSettings
from schema.report import parse_report
from store import reports
from store.archive import Archive
from store.service import Service
from tests.conftest import TODAY
from tests.report_corpus import LONG_HEADINGS, S1, S2, S3, S4, layouts, png

SETTINGS = ReportSettings()
TITLES = SETTINGS.sections
RETURNED = "b0062"  # logi, returned with a comment: editable
NEW = ["footnote", "comment", "header-text", "tracked", "text-box", "auto-chinese", "auto-decimal"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("corpus")
    return {layout.name: (layout, layout.build(folder)) for layout in layouts(folder) if layout.name in NEW}


@pytest.fixture
def service(demo_archive: Archive) -> Service:
    service = Service(demo_archive, Clock(fixed_today=TODAY))
    service.load()
    return service


@pytest.mark.parametrize("name", NEW)
def test_each_layout_lands_in_the_right_sections_with_its_notice(corpus, name):
    layout_, path = corpus[name]
    imported = reports.read_import(path, SETTINGS)
    assert imported.certain == layout_.certain, imported.doubts
    assert parse_report(imported.text, TITLES).sections == list(layout_.sections)
    for notice in layout_.notices:
        assert notice in imported.notices, imported.notices


def test_notes_comments_and_margins_are_not_in_the_text(corpus):
    for name, absent in (("footnote", "脚注内容"), ("footnote", "尾注内容"), ("comment", "次数请核实"),
                         ("header-text", "化学学院党委"), ("tracked", "删去的话"), ("tracked", "移走的话")):
        assert absent not in reports.read_import(corpus[name][1], SETTINGS).text, (name, absent)


def test_a_plain_document_gets_none_of_these_notices(tmp_path):
    import docx

    document = docx.Document()
    for heading, body in zip(["一、个人履职", "二、支部建设", "三、思想政治工作", "四、问题与不足"], [S1, S2, S3, S4]):
        document.add_heading(heading, level=2)
        document.add_paragraph(body)
    document.save(str(tmp_path / "plain.docx"))
    assert reports.read_import(tmp_path / "plain.docx", SETTINGS).notices == []


def test_auto_numbered_headings_are_found_by_their_shown_number(corpus):
    imported = reports.read_import(corpus["auto-chinese"][1], SETTINGS)
    texts = [c.text for c in imported.candidates if c.section is not None]
    assert texts == [f"{n}、{h}" for n, h in zip("一二三四", LONG_HEADINGS)]
    decimal = reports.read_import(corpus["auto-decimal"][1], SETTINGS)
    assert [c.text for c in decimal.candidates if c.section is not None] == [f"{n}.{h}" for n, h in
                                                                              zip("1234", LONG_HEADINGS)]


def test_export_embeds_the_picture_and_import_gives_it_back(service: Service, tmp_path):
    import docx
    from docx.shared import Emu

    picture = tmp_path / "wide.png"
    picture.write_bytes(png(2000, 10))  # 2000 px at 72 dpi: wider than the text column
    source = docx.Document()
    source.add_heading("一、个人履职", level=2)
    source.add_paragraph(S1)
    source.add_picture(str(picture))
    for heading, body in zip(["二、支部建设情况和成效", "三、思想政治工作", "四、存在问题及下一步思路举措"], [S2, S3, S4]):
        source.add_heading(heading, level=2)
        source.add_paragraph(body)
    source.save(str(tmp_path / "in.docx"))
    saved = service.reports.import_file(RETURNED, tmp_path / "in.docx")
    before = parse_report(saved.doc.text, TITLES).sections
    assert "![图片1](../attachments/" in before[0]

    out = tmp_path / "export.docx"
    service.reports.export([RETURNED], out)
    exported = docx.Document(str(out))
    assert "![图片" not in "\n".join(p.text for p in exported.paragraphs)
    (shape,) = exported.inline_shapes
    section = exported.sections[0]
    column = section.page_width - section.left_margin - section.right_margin
    assert Emu(shape.width) <= column and shape.height > 0

    assert service.reports.preview_import(RETURNED, out).certain
    again = service.reports.import_file(RETURNED, out)
    assert parse_report(again.doc.text, TITLES).sections == before
    attachments = (service.archive.root / again.doc.path).parent.parent / "attachments"
    assert len(list(attachments.iterdir())) == 1  # the same picture, so the same attachment


def test_a_link_to_a_missing_picture_stays_as_text(service: Service, tmp_path):
    import docx

    text = "\n\n".join([f"## 一、个人履职\n\n{S1}\n\n![图片1](../attachments/gone.png)", f"## 二、支部建设情况和成效\n\n{S2}",
                        f"## 三、思想政治工作\n\n{S3}", f"## 四、存在问题及下一步思路举措\n\n{S4}"]) + "\n"
    service.reports.save_text(RETURNED, text)
    out = tmp_path / "export.docx"
    service.reports.export([RETURNED], out)
    exported = docx.Document(str(out))
    assert not exported.inline_shapes
    assert "![图片1](../attachments/gone.png)" in "\n".join(p.text for p in exported.paragraphs)


def test_a_link_to_a_picture_outside_the_attachments_is_not_embedded(service: Service, tmp_path):
    """A hostile hand edit cannot make an export carry a file from elsewhere on the server."""
    import docx

    outside = tmp_path / "secret.png"
    outside.write_bytes(png(10, 10))
    link = f"![图片1](../../../../../../../../../../..{outside})"
    text = "\n\n".join([f"## 一、个人履职\n\n{S1}\n\n{link}", f"## 二、支部建设情况和成效\n\n{S2}",
                        f"## 三、思想政治工作\n\n{S3}", f"## 四、存在问题及下一步思路举措\n\n{S4}"]) + "\n"
    service.reports.save_text(RETURNED, text)
    out = tmp_path / "export.docx"
    service.reports.export([RETURNED], out)
    exported = docx.Document(str(out))
    assert not exported.inline_shapes
    assert link in "\n".join(p.text for p in exported.paragraphs)


def test_list_numbers_count_on_restart_and_survive_a_hand_edit(tmp_path):
    import docx

    from tests.report_corpus import _numbering, _num_pr, _xml

    document = docx.Document()
    num_id = _numbering(document, "chineseCounting", "%1、")
    numbering = document.part.numbering_part.element
    # a second list of the same definition counts on; a third restarts at 1; a fourth's override is
    # broken (read as a restart); a fifth names no list
    numbering.append(_xml('<w:num xmlns:w="W_NS" w:numId="91"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(_xml('<w:num xmlns:w="W_NS" w:numId="92"><w:abstractNumId w:val="90"/>'
                          '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    numbering.append(_xml('<w:num xmlns:w="W_NS" w:numId="93"><w:abstractNumId w:val="90"/>'
                          '<w:lvlOverride w:ilvl="x"><w:startOverride w:val="?"/></w:lvlOverride></w:num>'))
    for text, num in (("甲", num_id), ("乙", "91"), ("丙", "92"), ("丁", "93"), ("戊", "404")):
        document.add_paragraph(text)._p.get_or_add_pPr().append(_num_pr(num, 0))
    document.save(str(tmp_path / "lists.docx"))
    imported = reports.read_import(tmp_path / "lists.docx", SETTINGS)
    lines = imported.text.splitlines()
    assert [line for line in lines if line.endswith(tuple("甲乙丙丁戊"))] == ["一、甲", "二、乙", "一、丙", "一、丁", "戊"]
    assert "4 段 Word 自动编号已按显示的编号写入文字。" in imported.notices
