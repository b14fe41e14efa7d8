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


def png() -> bytes:
    """A valid 1×1 PNG (python-docx reads its header to size the picture)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
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
        Layout("txt", _text_file("plain", txt, ".txt"), BODIES),
        Layout("md", _text_file("bold-md", md, ".md"), BODIES),
    ]
