"""The editors' form state as pure models: unsaved changes, a destructive key pressed twice,
the report's cursor section and 字数 line, the work report's count against its limit."""

from __future__ import annotations

import pytest

from schema.records import ReportSettings
from schema.report import LastYearItem, template
from schema.report_form import ReportForm
from schema.text_form import TextForm
from schema.work_report import WorkReportForm

SETTINGS = ReportSettings(min_chars=10, max_chars=40)
TEXT = "## 一、个人履职\n\n甲。\n\n## 二、支部建设情况和成效\n\n乙。\n"


@pytest.mark.parametrize("edits, presses, outcomes", [
    ([], ["back"], [True]),  # nothing unsaved: goes at once
    (["x"], ["back"], [False]),  # unsaved: the first press only warns
    (["x"], ["back", "back"], [False, True]),  # the second press goes
    (["x"], ["back", "redraft", "back"], [False, False, False]),  # another key in between re-arms
    (["x", "y"], ["back", "edit", "back"], [False, None, False]),  # typing in between: press twice again
])
def test_a_destructive_key_needs_a_second_press_while_unsaved(edits, presses, outcomes):
    form = TextForm()
    form.load("saved")
    for text in edits[:1]:
        form.edit(text)
    got = []
    for key in presses:
        if key == "edit":
            form.edit(edits[-1])
            got.append(None)
        else:
            got.append(form.may(key))
    assert got == outcomes


@pytest.mark.parametrize("steps, dirty", [
    ([("load", "a")], False),
    ([("load", "a"), ("edit", "b")], True),
    ([("load", "a"), ("edit", "b"), ("saved", "b")], False),
    ([("load", "a"), ("edit", "b"), ("saved", "b"), ("edit", "c")], True),
    ([("load", "a"), ("edit", "b"), ("edit", "a")], False),  # typed back to what is saved
])
def test_unsaved_follows_the_last_load_or_save(steps, dirty):
    form = TextForm()
    for step, text in steps:
        getattr(form, step)(text)
    assert form.dirty is dirty


ITEM = LastYearItem("党员发展不规范", "2019年度整改任务，已完成")


@pytest.mark.parametrize("stored, editable, items, text", [
    (TEXT, True, [], TEXT),  # a written report opens as written
    ("", True, [ITEM], template(SETTINGS.sections, [ITEM])),  # not written, the writer's: the template
    ("", False, [ITEM], ""),  # not written and under review: nothing to fill in
])
def test_a_report_opens_with_its_text_or_the_template(stored, editable, items, text):
    form = ReportForm.opened(SETTINGS, stored, editable, items)
    assert form.text == text and form.is_open and not form.dirty
    assert form.unchanged is (text == stored)


@pytest.mark.parametrize("row, section", [(0, "一、个人履职"), (2, "一、个人履职"), (4, "二、支部建设情况和成效"), (6, "二、支部建设情况和成效")])
def test_the_count_line_names_the_cursors_section(row, section):
    form = ReportForm.opened(SETTINGS, TEXT, True, [])
    line, warn = form.count_line(row)
    assert line == f"字数 21（建议 10–40 字） · 光标：{section}" and not warn  # headings are text too


@pytest.mark.parametrize("added, line_end, warn", [
    ("", "· 光标：全文", True),
    ("甲" * 20, "· 光标：全文 · 未保存", False),
    ("甲" * 60, "· 光标：全文 · 未保存", True),
])
def test_the_count_line_warns_outside_the_guide_and_says_unsaved(added, line_end, warn):
    form = ReportForm.opened(SETTINGS, "前言\n", True, [])
    form.edit("前言\n" + added)
    line, warned = form.count_line(0)
    assert line.endswith(line_end) and warned is warn


def test_a_save_and_an_import_move_what_is_stored():
    form = ReportForm.opened(SETTINGS, "", True, [])
    form.edit("新写的")
    assert form.dirty and not form.unchanged
    form.saved_as("新写的", "新写的\n")  # stored with its final newline
    assert not form.dirty and form.stored == "新写的\n"
    form.saved_as(None, "新写的\n")  # a step of the review without text: the text stays unsaved or not
    assert not form.dirty
    form.reloaded("导入的\n")
    assert form.text == "导入的\n" and form.unchanged and not form.dirty


@pytest.mark.parametrize("text, version, edit, expected", [
    ("# 报告\n\n正文", None, None, ("字数 4 / 3000", " · 初稿，尚未保存", False)),
    ("# 报告\n\n正文", "v1", None, ("字数 4 / 3000", "", False)),
    ("# 报告\n\n正文", "v1", "# 报告\n\n正文改", ("字数 5 / 3000", " · 未保存", False)),
    ("# 报告\n\n正文", "v1", "# 报告\n\n正文\n\n", ("字数 4 / 3000", "", False)),  # trailing space is no change
    ("正文", "v1", "字" * 3001, ("字数 3001 / 3000：超出 1 字，不能导出", " · 未保存", True)),
])
def test_the_work_report_counts_against_its_limit(text, version, edit, expected):
    form = WorkReportForm.opened(text, version)
    if edit is not None:
        form.edit(edit)
    assert form.words_line() == expected


@pytest.mark.parametrize("version, edit, unchanged", [(None, None, False), ("v1", None, True), ("v1", "改", False)])
def test_a_work_report_draft_is_always_worth_saving(version, edit, unchanged):
    form = WorkReportForm.opened("草稿", version)
    if edit:
        form.edit(edit)
    assert form.unchanged is unchanged
