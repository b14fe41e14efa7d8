"""附件2: figures from an archive with known results, the spreadsheet read back, and --json."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from schema.kinds import Rounding
from schema.quota import good_cap
from schema.stats import COLUMNS
from tests import reporting_archive
from tests.reporting_archive import EXPECTED, EXPECTED_TOTAL
from tests.test_cli import shuping


@pytest.mark.parametrize(
    "n, rounding, cap",
    [(7, "floor", 2), (10, "floor", 3), (3, "floor", 0), (0, "floor", 0), (7, "round", 2), (5, "round", 2),
     (5, "floor", 1), (3, "ceil", 1), (10, "ceil", 3), (1, Rounding.CEIL, 1)],
)
def test_good_cap(n, rounding, cap):
    assert good_cap(n, 0.3, rounding) == cap


@pytest.fixture
def known(empty_archive):
    return reporting_archive.build(empty_archive)


def read_back(path):
    ws = load_workbook(path).active
    header = [c.value for c in ws[3]]
    rows = {}
    for row in ws.iter_rows(min_row=4):
        rows[row[0].value] = {key: cell for (_, key), cell in zip(COLUMNS, row)}
    return ws, header, rows


def figure(cell):
    if cell.number_format == "@" or isinstance(cell.value, str):
        return {"是": True, "否": False}.get(cell.value, cell.value)
    return cell.value


def test_rollup_spreadsheet_has_every_figure_and_the_craft(known, tmp_path):
    out = tmp_path / "统计表.xlsx"
    result = shuping("export", "stats", "-o", str(out), "--archive", str(known.root))
    assert result.returncode == 0, result.stderr
    assert "已导出统计表" in result.stdout
    ws, header, rows = read_back(out)

    assert ws["A1"].value == "测试大学2020年党支部书记述职评议考核工作情况统计表"
    assert "A1:T1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "全校汇总：3 个二级党组织"
    assert header == [label for label, _ in COLUMNS]
    assert list(rows) == ["物理学院党委", "历史学院党总支", "体育部直属党支部", "合计"]
    names = {"物理学院党委": "phys", "历史学院党总支": "hist", "体育部直属党支部": "pe"}
    for name, org_id in names.items():
        got = {key: figure(cell) for key, cell in rows[name].items() if key != "name"}
        assert got == pytest.approx(EXPECTED[org_id]), name
    total = {key: figure(cell) for key, cell in rows["合计"].items() if key != "name"}
    assert total == pytest.approx(EXPECTED_TOTAL)

    # numbers are numbers, percentages a number format, not text
    share = rows["物理学院党委"]["good_share"]
    assert isinstance(share.value, float) and share.number_format == "0.0%"
    assert rows["物理学院党委"]["due"].data_type == "n" and rows["物理学院党委"]["due"].number_format == "0"
    assert rows["合计"]["good"].font.b and not rows["物理学院党委"]["good"].font.b
    assert ws["C3"].font.b and ws["C3"].alignment.wrap_text and ws["C3"].fill.fgColor.rgb.endswith("D9E1F2")
    assert all(cell.border.left.style == "thin" for cell in rows["合计"].values())
    assert ws.freeze_panes == "B4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    # the organisation column fits its widest name (two cells per Chinese character)
    assert ws.column_dimensions["A"].width >= 2 * len("体育部直属党支部")


def test_json_equals_the_spreadsheet(known, tmp_path):
    out = tmp_path / "t.xlsx"
    result = shuping("export", "stats", "-o", str(out), "--json", "--archive", str(known.root))
    data = json.loads(result.stdout)
    _, _, rows = read_back(out)
    for row in data["rows"] + [data["total"]]:
        sheet = rows[row["name"]]
        for _, key in COLUMNS:
            if key == "good_share" and row[key] is not None:
                assert row[key] == pytest.approx(sheet[key].value, abs=1e-4)
            else:
                assert row[key] == figure(sheet[key]), (row["name"], key)
    assert data["rows"][0]["excluded_other"] == 1 and data["rows"][0]["good_cap"] == 2


def test_one_organisation_has_one_row_and_its_name(known, tmp_path):
    out = tmp_path / "phys.xlsx"
    result = shuping("export", "stats", "--org", "phys", "-o", str(out), "--archive", str(known.root))
    assert result.returncode == 0, result.stderr
    ws, _, rows = read_back(out)
    assert ws["A2"].value == "填报单位：物理学院党委（盖章）"
    assert list(rows) == ["物理学院党委"]


def test_unknown_org_and_bad_suffix_are_refused(known, tmp_path):
    result = shuping("export", "stats", "--org", "nope", "--json", "--archive", str(known.root))
    assert result.returncode == 2 and "没有 id 为 “nope” 的二级党组织" in result.stderr
    result = shuping("export", "stats", "-o", str(tmp_path / "x.csv"), "--archive", str(known.root))
    assert result.returncode == 2 and "只能导出为 .xlsx" in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_broken_meeting_record_refuses_export_saying_where(known, tmp_path):
    path = known.root / "orgs/hist/2020/meeting.toml"
    path.write_text(path.read_text().replace("issued = 20", "issued = -3"))
    # committed with plain git (an uncommitted hand edit like this is set aside on opening, see test_recovery)
    known.git.run("commit", "-qam", "手工修改")
    result = shuping("export", "stats", "-o", str(tmp_path / "t.xlsx"), "--archive", str(known.root))
    assert result.returncode == 1  # refused as incomplete (issue 16)
    assert "orgs/hist/2020/meeting.toml" in result.stderr and "不能小于" in result.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_reported_are_the_secretaries_of_the_held_meeting(demo_archive):
    from store.sendup import stats
    from store.snapshot import load

    state = load(demo_archive)
    chem = stats(state, "chem")
    order = state.meetings["chem"].record.order
    assert (chem.reported, chem.in_person, chem.written) == (len(order), len(order) - 1, 1) == (12, 11, 1)
    assert chem.approved == chem.reported  # every report was approved before the meeting
    from datetime import datetime

    from schema.report import ReportAction
    from store import reports

    snap = load(demo_archive)  # a report reopened after the meeting does not change who reported
    stored = snap.review(order[0])
    reports.move(demo_archive, stored, reports.read(demo_archive, stored.record), ReportAction.REOPEN,
                 snap.branches[order[0]].record, datetime(2021, 1, 20, 10), "补充材料")
    chem = stats(load(demo_archive), "chem")
    assert (chem.approved, chem.reported) == (11, 12)
    logi = stats(state, "logi")  # its meeting is only set up: nobody has reported yet
    assert logi.due == 4 and (logi.reported, logi.in_person, logi.written) == (0, 0, 0)


def test_a_branch_left_out_of_the_meeting_did_not_report(known):
    from store.sendup import stats
    from store.snapshot import load

    phys = stats(load(known), "phys")
    # p04 is in scope and graded but was not in the meeting's order
    assert (phys.due, phys.approved, phys.reported) == (7, 6, 6)
