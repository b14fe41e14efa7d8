"""A corpus of 述职报告 written the ways secretaries really write them, built as .docx (and
.txt/.md) files with python-docx: each layout knows what each of the four sections must hold
after import. Used by tests/test_report_import.py.

The four bodies are the same in every layout so a misplaced paragraph shows at once."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import docx

S1 = "本人认真履行党支部书记第一责任人职责，带头学习，带头讲党课。"
S2 = "全年召开支部党员大会6次、支委会12次，按期开展主题党日活动。"
S3 = "坚持每月联系青年教师，组织专题学习4次，开展谈心谈话20人次。"
S4 = "一是理论学习不够深入；二是组织生活形式单一。下一步将健全学习制度。"
BODIES = [S1, S2, S3, S4]

NOTICE = ["一、述个人履职情况", "二、述党支部建设情况和成效", "三、述思想政治工作情况",
          "四、述支部建设存在问题和下一步工作思路和举措等"]


def png(width: int = 1, height: int = 1) -> bytes:
    """A valid red PNG (python-docx reads its header to size the picture; no dpi: 72)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = (b"\x00" + b"\xff\x00\x00" * width) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels))
            + chunk(b"IEND", b""))


def _bold(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def _sections(document, headings: list[str], add_heading: Callable, bodies: list[str] = BODIES) -> None:
    for heading, body in zip(headings, bodies):
        add_heading(document, heading)
        document.add_paragraph(body)


def _plain(document, text: str) -> None:
    document.add_paragraph(text)


def _styled(level: int) -> Callable:
    return lambda document, text: document.add_heading(text, level=level)


@dataclass(frozen=True)
class Layout:
    name: str
    build: Callable[[Path], Path]  # writes the file into a folder, returns its path
    sections: list[str]  # what each section holds after import
    certain: bool = True
    notices: tuple[str, ...] = ()  # notices expected (each a substring of one notice)


def _docx(name: str, fill: Callable) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        document = docx.Document()
        fill(document)
        path = folder / f"{name}.docx"
        document.save(str(path))
        return path

    return build


def _notice_wording(d) -> None:
    _sections(d, NOTICE, _plain)


def _duty_wording(d) -> None:
    _sections(d, ["一、履行党支部书记职责情况", "二、支部建设情况和成效", "三、思想政治工作", "四、存在问题和下一步打算"],
              _styled(1))


def _bold_unnumbered(d) -> None:
    _sections(d, ["个人履职情况", "党支部建设情况", "思想政治工作情况", "存在的问题和不足"], _bold)


def _arabic(d) -> None:
    _sections(d, ["1.述个人履职情况", "2.述党支部建设情况和成效", "3.述思想政治工作情况",
                  "4. 述支部建设存在问题和下一步工作思路和举措等"], _plain)


def _paren_cn(d) -> None:
    _sections(d, ["（一）个人履职情况", "（二）支部建设情况和成效", "（三）思想政治工作情况", "（四）存在问题及整改举措"], _bold)


def _front_matter(d) -> None:
    d.add_paragraph("化学学院教工第一党支部书记2020年度述职报告")
    d.add_paragraph("张三")
    d.add_paragraph("2021年1月10日")
    d.add_paragraph("各位领导、同志们：")
    _sections(d, NOTICE, _styled(2))


def _signature(d) -> None:
    _sections(d, ["一、个人履职", "二、支部建设情况和成效", "三、思想政治工作", "四、存在问题及下一步思路举措"], _styled(2))
    d.add_paragraph("述职人：张三")
    d.add_paragraph("二〇二一年一月十日")


def _subheadings(d) -> None:
    d.add_heading("一、个人履职情况", level=1)
    d.add_heading("（一）加强理论学习", level=2)
    d.add_paragraph(S1)
    d.add_heading("二、支部建设情况和成效", level=1)
    d.add_paragraph("（一）组织生活")
    d.add_paragraph(S2)
    d.add_heading("三、思想政治工作情况", level=1)
    d.add_paragraph("1.联系服务师生")
    d.add_paragraph(S3)
    d.add_heading("四、存在问题和下一步举措", level=1)
    d.add_heading("（一）存在问题", level=2)
    d.add_paragraph(S4)


def _table(d) -> None:
    d.add_heading("一、个人履职", level=2)
    d.add_paragraph(S1)
    d.add_heading("二、支部建设情况和成效", level=2)
    d.add_paragraph(S2)
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "活动", (0, 1): "次数", (1, 0): "主题党日", (1, 1): "12"}.items():
        table.cell(r, c).text = text
    d.add_heading("三、思想政治工作", level=2)
    d.add_paragraph(S3)
    d.add_heading("四、存在问题及下一步思路举措", level=2)
    d.add_paragraph(S4)


def _image(folder_png: Path) -> Callable:
    def fill(d) -> None:
        d.add_heading("一、个人履职", level=2)
        d.add_paragraph(S1)
        d.add_picture(str(folder_png))
        _sections(d, ["二、支部建设情况和成效", "三、思想政治工作", "四、存在问题及下一步思路举措"], _styled(2), BODIES[1:])
    return fill


def _full_width(d) -> None:
    for heading, body in zip(["一、　述个人履职情况", "二、　支部建设情况和成效", "三、　思想政治工作", "四、　存在问题和下一步工作思路"],
                             BODIES):
        d.add_paragraph(heading)
        d.add_paragraph("　　" + body)


def _reordered(d) -> None:
    order = [2, 0, 1, 3]
    titles = ["个人履职情况", "支部建设情况和成效", "思想政治工作情况", "存在问题和下一步打算"]
    for n, i in enumerate(order):
        d.add_heading(f"{'一二三四'[n]}、{titles[i]}", level=2)
        d.add_paragraph(BODIES[i])


def _missing(d) -> None:
    for i in (0, 1, 3):
        d.add_heading(["一、个人履职情况", "二、支部建设情况和成效", "", "三、存在问题和下一步打算"][i], level=2)
        d.add_paragraph(BODIES[i])


def _intro(d) -> None:
    d.add_heading("2020年度述职报告", level=0)  # Word's Title style
    d.add_paragraph("本人自2019年起任支部书记，现将一年来的工作报告如下。")
    _sections(d, ["第一部分 个人履职", "第二部分 支部建设", "第三部分 思想政治工作", "第四部分 问题与不足"], _styled(2))


def _no_keywords(d) -> None:
    _sections(d, ["一、工作回顾", "二、主要做法", "三、典型经验", "四、今后打算"], _plain)


def _outline_levels(d) -> None:
    """Headings in a custom style that is a heading only by its outline level; section 2 inside a content control."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style = d.styles.add_style("部分标题", WD_STYLE_TYPE.PARAGRAPH)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().append(outline)
    for n, (heading, body) in enumerate(zip(["关于本人一年来履行党支部书记职责的基本情况汇报", "二、支部建设情况和成效", "三、思想政治工作", "四、存在问题"], BODIES)):
        first = d.add_paragraph(heading, style="部分标题")
        second = d.add_paragraph(body)
        if n == 1:
            sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
            sdt.append(content)
            first._p.addprevious(sdt)
            content.append(first._p)
            content.append(second._p)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# headings of 21–30 characters: a plain line that long is a heading only by its number
LONG_HEADINGS = ["本人一年来认真履行党支部书记职责的个人履职情况", "本年度党支部建设的主要情况和取得的工作成效",
                 "坚持做好思想政治工作和联系服务师生的有关情况", "支部建设存在的问题和下一步工作思路及具体举措"]


def _xml(text: str):
    from docx.oxml import parse_xml

    return parse_xml(text.replace("W_NS", W_NS))


def _add_part(d, name: str, kind: str, reltype: str, xml: str) -> None:
    """A part python-docx has no API for (footnotes, endnotes), written by hand and related to the document."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    part = Part(PackURI(f"/word/{name}.xml"), content_type, xml.replace("W_NS", W_NS).encode(), d.part.package)
    d.part.relate_to(part, reltype)


def _footnote(d) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    _sections(d, NOTICE, _plain)
    notes = "".join(f'<w:footnote w:id="{n}"><w:p><w:r><w:t>脚注内容{n}</w:t></w:r></w:p></w:footnote>' for n in (1, 2, 3))
    _add_part(d, "footnotes", "footnotes", RT.FOOTNOTES,
              '<w:footnotes xmlns:w="W_NS"><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>'
              f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p/></w:footnote>{notes}</w:footnotes>')
    _add_part(d, "endnotes", "endnotes", RT.ENDNOTES,
              '<w:endnotes xmlns:w="W_NS"><w:endnote w:id="1"><w:p><w:r><w:t>尾注内容</w:t></w:r></w:p></w:endnote></w:endnotes>')
    bodies = [p for p in d.paragraphs if p.text in BODIES]
    for n, paragraph in zip((1, 2, 3), bodies):
        paragraph._p.append(_xml(f'<w:r xmlns:w="W_NS"><w:footnoteReference w:id="{n}"/></w:r>'))
    bodies[3]._p.append(_xml('<w:r xmlns:w="W_NS"><w:endnoteReference w:id="1"/></w:r>'))


def _comment(d) -> None:
    _sections(d, NOTICE, _plain)
    body = next(p for p in d.paragraphs if p.text == S2)
    d.add_comment(body.runs, text="次数请核实", author="李四", initials="LS")


def _header_text(d) -> None:
    _sections(d, NOTICE, _plain)
    d.sections[0].header.paragraphs[0].text = "化学学院党委"
    d.sections[0].footer.paragraphs[0].text = "内部资料"


def _tracked(d) -> None:
    """Section 1's body with a tracked insertion and a tracked deletion; section 3's moved."""
    _sections(d, NOTICE, _plain)
    body = next(p for p in d.paragraphs if p.text == S1)
    mark = 'w:id="{}" w:author="张三" w:date="2021-01-10T00:00:00Z"'
    body._p.append(_xml(f'<w:ins xmlns:w="W_NS" {mark.format(1)}><w:r><w:t>（已修订）</w:t></w:r></w:ins>'))
    body._p.append(_xml(f'<w:del xmlns:w="W_NS" {mark.format(2)}><w:r><w:delText>删去的话</w:delText></w:r></w:del>'))
    body._p.append(_xml(f'<w:moveFrom xmlns:w="W_NS" {mark.format(3)}><w:r><w:t>移走的话</w:t></w:r></w:moveFrom>'))


def _text_box(d) -> None:
    """Section 2's body holds a text box, as Word writes it: a drawing, and the same box
    again as VML for old readers (its text must not come twice)."""
    _sections(d, NOTICE, _plain)
    body = next(p for p in d.paragraphs if p.text == S2)
    box = '<w:txbxContent><w:p><w:r><w:t>（文本框：活动照片说明）</w:t></w:r></w:p></w:txbxContent>'
    body._p.append(_xml(
        '<w:r xmlns:w="W_NS" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r>'))


def _numbering(d, fmt: str, text: str, ilvl_text: str = "（%2）") -> str:
    """A Word list in the numbering part: level 0 in ``fmt`` shown as ``text``, level 1 as
    （1）; returns its numId."""
    numbering = d.part.numbering_part.element
    abstract_id, num_id = "90", "90"
    numbering.insert(0, _xml(
        f'<w:abstractNum xmlns:w="W_NS" w:abstractNumId="{abstract_id}">'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="{ilvl_text}"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(_xml(f'<w:num xmlns:w="W_NS" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def _num_pr(num_id: str, ilvl: int):
    return _xml(f'<w:numPr xmlns:w="W_NS"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


def _auto_chinese(d) -> None:
    """Section headings numbered 一、二、… by Word's list feature on each paragraph, a
    （1） sub-item inside section 2: the numbers are not in the text."""
    num_id = _numbering(d, "chineseCounting", "%1、")
    for n, (heading, body) in enumerate(zip(LONG_HEADINGS, BODIES)):
        d.add_paragraph(heading)._p.get_or_add_pPr().append(_num_pr(num_id, 0))
        if n == 1:
            d.add_paragraph("组织生活")._p.get_or_add_pPr().append(_num_pr(num_id, 1))
        d.add_paragraph(body)


def _auto_decimal(d) -> None:
    """Section headings in a style that numbers them 1. 2. … (the number is the style's)."""
    from docx.enum.style import WD_STYLE_TYPE

    num_id = _numbering(d, "decimal", "%1.")
    style = d.styles.add_style("编号标题", WD_STYLE_TYPE.PARAGRAPH)
    style.element.get_or_add_pPr().append(_num_pr(num_id, 0))
    _sections(d, LONG_HEADINGS, lambda document, text: document.add_paragraph(text, style="编号标题"))


def _text_file(name: str, text: str, suffix: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / f"{name}{suffix}"
        path.write_text(text, encoding="utf-8")
        return path

    return build


def layouts(folder: Path) -> list[Layout]:
    """Every layout; ``folder`` holds the picture the image layout embeds."""
    picture = folder / "photo.png"
    picture.write_bytes(png())
    table = "| 活动 | 次数 |\n| --- | --- |\n| 主题党日 | 12 |"
    txt = "\n".join(line for heading, body in zip(NOTICE, BODIES) for line in (heading, body))
    md = "# 述职报告\n\n" + "\n\n".join(f"**{h}**\n\n{b}" for h, b in zip(["个人履职", "支部建设", "思想政治", "问题与整改"],
                                                                          BODIES))
    return [
        Layout("notice", _docx("notice", _notice_wording), BODIES),
        Layout("duty", _docx("duty", _duty_wording), BODIES),
        Layout("bold", _docx("bold", _bold_unnumbered), BODIES),
        Layout("arabic", _docx("arabic", _arabic), BODIES),
        Layout("paren-cn", _docx("paren-cn", _paren_cn), BODIES),
        Layout("front-matter", _docx("front-matter", _front_matter), BODIES,
               notices=("开头的标题、署名、日期或称呼未放入正文：化学学院教工第一党支部书记2020年度述职报告 / 张三 / 2021年1月10日 / 各位领导、同志们：",)),
        Layout("signature", _docx("signature", _signature), BODIES,
               notices=("末尾的署名和日期未放入正文：述职人：张三 / 二〇二一年一月十日",)),
        Layout("subheadings", _docx("subheadings", _subheadings),
               [f"### （一）加强理论学习\n\n{S1}", f"（一）组织生活\n\n{S2}", f"1.联系服务师生\n\n{S3}", f"### （一）存在问题\n\n{S4}"]),
        Layout("table", _docx("table", _table), [S1, f"{S2}\n\n{table}", S3, S4], notices=("1 个表格已转为 Markdown 表格。",)),
        Layout("image", _docx("image", _image(picture)), [f"{S1}\n\n![图片1](IMAGE)", S2, S3, S4],
               notices=("1 张图片已存为附件并在正文中链接。",)),
        Layout("full-width", _docx("full-width", _full_width), BODIES),
        Layout("reordered", _docx("reordered", _reordered), BODIES),
        Layout("missing", _docx("missing", _missing), [S1, S2, "", S4],
               notices=("未找到以下部分的标题，这些部分为空：“思想政治工作”。",)),
        Layout("intro", _docx("intro", _intro), BODIES,
               notices=("第一个部分标题之前的 2 段文字保留在报告开头（各部分之前），请在编辑器中确认。",)),
        Layout("no-keywords", _docx("no-keywords", _no_keywords), BODIES, certain=False),
        Layout("outline-levels", _docx("outline-levels", _outline_levels), BODIES),
        Layout("footnote", _docx("footnote", _footnote), BODIES,
               notices=("脚注 3 条未导入：请将其内容写入正文。", "尾注 1 条未导入：请将其内容写入正文。")),
        Layout("comment", _docx("comment", _comment), BODIES,
               notices=("批注 1 条未导入：批注不属于报告正文，请确认其意见已在正文中处理。",)),
        Layout("header-text", _docx("header-text", _header_text), BODIES,
               notices=("页眉或页脚中的文字未导入：化学学院党委 / 内部资料",)),
        Layout("tracked", _docx("tracked", _tracked), [S1 + "（已修订）", S2, S3, S4],
               notices=("文档含修订记录：已按接受全部修订后的文字导入（插入的文字保留，删除的文字不导入），请核对。",)),
        Layout("text-box", _docx("text-box", _text_box), [S1, S2 + "（文本框：活动照片说明）", S3, S4],
               notices=("1 个文本框中的文字已并入所在段落，请在编辑器中核对位置。",)),
        Layout("auto-chinese", _docx("auto-chinese", _auto_chinese), [S1, f"（1）组织生活\n\n{S2}", S3, S4],
               notices=("5 段 Word 自动编号已按显示的编号写入文字。",)),
        Layout("auto-decimal", _docx("auto-decimal", _auto_decimal), BODIES,
               notices=("4 段 Word 自动编号已按显示的编号写入文字。",)),
        Layout("txt", _text_file("plain", txt, ".txt"), BODIES),
        Layout("md", _text_file("bold-md", md, ".md"), BODIES),
    ]
