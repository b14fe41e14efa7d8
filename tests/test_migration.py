"""Campaign files of schema version 1 (grading weights keyed by Chinese label) stay readable,
grade the same, and are written in the current form when saved again."""

from __future__ import annotations

import tomllib

import pytest

from schema.grading import Entry, suggest
from schema.migrations import CAMPAIGN_STEPS, V1_WEIGHT_KEYS, campaign_v1_to_v2, migrate
from schema.records import CAMPAIGN_SCHEMA_VERSION, COMPONENT_LABELS, Campaign
from schema.validation import parse
from store import layout
from store.archive import Archive
from store.check import check_archive
from store.mergedriver import merge3
from store.snapshot import load
from tests.conftest import git_log
from tests.test_campaign import _settle, _text, run_async
from tests.test_cli import shuping
from tests.test_verify import commit_by_hand

CAMPAIGN = layout.campaign_path(2020)
IDS = ["report", "rating", "daily", "inspection"]
KNOWN = "可用：report（述职情况）、rating（测评结果）、daily（日常了解）、inspection（督查检查）"


def as_version_1(text: str) -> str:
    """The current campaign text as a version-1 shuping wrote it, with a hand-written comment."""
    assert "schema_version = 2\n" in text
    text = "# 2020 年度设置（组织部维护）\n" + text.replace("schema_version = 2\n", "schema_version = 1\n", 1)
    for label, key in V1_WEIGHT_KEYS.items():
        assert f"\n{key} = " in text
        text = text.replace(f"\n{key} = ", f'\n"{label}" = ', 1)
    return text


def old_archive(archive: Archive) -> str:
    """Put a version-1 campaign file in ``archive`` (committed by hand); returns its text."""
    text = as_version_1((archive.root / CAMPAIGN).read_text(encoding="utf-8"))
    commit_by_hand(archive, CAMPAIGN, text, "旧版本写入的年度设置")
    return text


def suggestions(archive: Archive) -> dict:
    """Every organisation's ranking and suggested grades under the campaign as read now."""
    snap = load(archive)
    out = {}
    for org in sorted(snap.orgs):
        reviews = [snap.review(b.id).record for b in snap.org_branches(org) if snap.scope(b.id).in_scope]
        if reviews:
            out[org] = suggest([Entry.of(r) for r in reviews], snap.campaign.grading, snap.campaign.quota)
    return out


# ---------------------------------------------------------------- the migration, pure


def test_v1_weights_become_component_ids_without_touching_the_input():
    weights = {"述职情况": 20, "测评结果": 50, "日常了解": 15, "督查检查": 15}
    v1 = {"schema_version": 1, "year": 2020, "grading": {"weights": weights, "tie_break": ["composite", "rating"]}}
    before = repr(v1)
    v2 = campaign_v1_to_v2(v1)
    assert v2 == {"schema_version": 2, "year": 2020,
                  "grading": {"weights": {"report": 20, "rating": 50, "daily": 15, "inspection": 15},
                              "tie_break": ["composite", "rating"]}}
    assert repr(v1) == before
    assert migrate(v1, CAMPAIGN_STEPS) == v2
    assert migrate(v2, CAMPAIGN_STEPS) is v2  # current: nothing to do
    assert campaign_v1_to_v2({"schema_version": 1, "year": 2020}) == {"schema_version": 2, "year": 2020}


def test_v1_keys_it_cannot_rename_are_left_for_validation_to_name():
    v2 = campaign_v1_to_v2({"schema_version": 1, "grading": {"weights": {"述职": 20, "述职情况": 30, "report": 50}}})
    assert v2["grading"]["weights"] == {"述职": 20, "述职情况": 30, "report": 50}


def test_one_id_per_input_everywhere():
    assert list(COMPONENT_LABELS) == IDS == list(Campaign.model_fields["grading"].default_factory().weights)
    assert set(V1_WEIGHT_KEYS.values()) == set(COMPONENT_LABELS)
    assert {label: key for key, label in COMPONENT_LABELS.items()} == V1_WEIGHT_KEYS


# ---------------------------------------------------------------- problems, named with file and line


def _campaign_text(version: int, weights: str) -> str:
    return (f"schema_version = {version}\nyear = 2020\nnotice_date = 2020-12-23\nreport_deadline = 2021-01-30\n"
            f"completion_deadline = 2021-01-31\n\n[grading.weights]\n{weights}")


@pytest.mark.parametrize(
    "version, weights, message",
    [
        (2, '"述职" = 20\nrating = 80\n', f"campaigns/2020.toml:8: 未知的权重项“述职”（{KNOWN}）"),
        (2, 'report = 20\nscore = 80\n', f"campaigns/2020.toml:9: 未知的权重项“score”（{KNOWN}）"),
        (2, '"述职情况" = 20\nrating = 80\n', "campaigns/2020.toml:8: 权重项“述职情况”应写作 report"),
        (1, '"述职情况" = 20\n"测评" = 80\n', f"campaigns/2020.toml:9: 未知的权重项“测评”（{KNOWN}）"),
        (3, 'report = 20\nrating = 80\n',
         "campaigns/2020.toml:1: 不支持的 schema_version 3（本程序支持 2，文件由较新版本的 shuping 写入，请升级）"),
    ],
    ids=["unknown", "unknown-english", "label-in-v2", "unknown-in-v1", "newer"],
)
def test_bad_weight_keys_are_named_with_file_and_line(version, weights, message):
    record, problems = parse(Campaign, _campaign_text(version, weights), CAMPAIGN)
    assert record is None and [str(p) for p in problems] == [message]


def test_every_unknown_key_is_reported_in_one_run():
    _, problems = parse(Campaign, _campaign_text(2, 'a = 50\nb = 50\n'), CAMPAIGN)
    assert [(p.line, p.message.split("（")[0]) for p in problems] == [(8, "未知的权重项“a”"), (9, "未知的权重项“b”")]


def test_check_names_the_campaign_file_and_the_unknown_key(demo_archive: Archive):
    path = demo_archive.root / CAMPAIGN
    text = path.read_text(encoding="utf-8").replace("\ndaily = 15\n", '\n"日常" = 15\n', 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index('"日常" = 15') + 1
    result = shuping("check", "--archive", str(demo_archive.root))
    assert result.returncode == 1
    assert f"{CAMPAIGN}:{line}: 未知的权重项“日常”（{KNOWN}）" in result.stdout.splitlines()


# ---------------------------------------------------------------- an old archive


def test_an_old_campaign_loads_grades_the_same_and_is_rewritten_in_the_new_form(demo_archive: Archive):
    before = suggestions(demo_archive)
    weights = load(demo_archive).campaign.grading.weights
    old_archive(demo_archive)

    assert check_archive(demo_archive) == []
    snap = load(demo_archive)
    assert not snap.problems
    campaign = snap.campaign
    assert (campaign.schema_version, campaign.grading.weights) == (CAMPAIGN_SCHEMA_VERSION, weights)
    assert suggestions(demo_archive) == before

    stored = demo_archive.campaign()
    demo_archive.save(stored, campaign.model_copy(update={"title": "2020年度述职评议"}), "修改年度设置：2020年度（名称）")
    text = (demo_archive.root / CAMPAIGN).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["schema_version"] == CAMPAIGN_SCHEMA_VERSION
    assert list(data["grading"]["weights"]) == IDS
    assert not any(label in text for label in V1_WEIGHT_KEYS)  # no mix of the two spellings
    assert text.startswith("# 2020 年度设置（组织部维护）\nschema_version = 2\n")  # the comment survives
    assert demo_archive.git.run("show", f"HEAD:{CAMPAIGN}") + "\n" == text
    assert demo_archive.git.run("status", "--porcelain") == ""
    assert suggestions(demo_archive) == before


def test_shuping_check_and_verify_are_silent_on_an_old_archive(demo_archive: Archive):
    old_archive(demo_archive)
    check = shuping("check", "--archive", str(demo_archive.root))
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")
    verify = shuping("verify", "--archive", str(demo_archive.root))
    assert verify.returncode == 0, verify.stdout


@run_async
async def test_f9_shows_labels_and_saves_an_old_campaign_with_english_keys(demo_archive: Archive):
    from tui.app import ShupingApp

    text = as_version_1((demo_archive.root / CAMPAIGN).read_text(encoding="utf-8"))
    text = text.replace('tie_break = ["composite", "rating", "good_share"]',
                        'tie_break = ["composite", "daily", "id"]', 1)
    commit_by_hand(demo_archive, CAMPAIGN, text, "旧版本写入的年度设置")
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        labels = [str(label.render()) for label in app.screen.query("Label.inline")]
        assert [x for x in labels if x in V1_WEIGHT_KEYS] == list(V1_WEIGHT_KEYS)
        app.screen.query_one("#weight-0").value = "25"
        app.screen.query_one("#weight-1").value = "45"
        await pilot.pause()
        assert _text(app, "#weights-sum") == "合计 100%"
        await pilot.press("ctrl+s")
        await _settle(pilot)
    assert git_log(demo_archive, "-1") == ["测试员|修改年度设置：2020年度（综合评定权重）"]
    data = tomllib.loads((demo_archive.root / CAMPAIGN).read_text(encoding="utf-8"))
    assert data["schema_version"] == CAMPAIGN_SCHEMA_VERSION
    assert data["grading"]["weights"] == {"report": 25, "rating": 45, "daily": 15, "inspection": 15}
    assert data["grading"]["tie_break"] == ["composite", "daily", "id"]  # what the form does not show is kept


def test_a_rewritten_file_merges_with_an_old_one_key_by_key():
    base = _campaign_text(1, '"述职情况" = 20\n"测评结果" = 80\n')
    ours = _campaign_text(2, "report = 20\nrating = 80\n")  # saved again by this version
    merged, conflicts = merge3(base, ours, base.replace("year = 2020", "year = 2020\ntitle = \"述职评议\""))
    assert conflicts == [] and parse(Campaign, merged, CAMPAIGN)[0].grading.weights == {"report": 20, "rating": 80}
    # an old version changing a weight meanwhile is a conflict on that key, never a mix of spellings
    _, conflicts = merge3(base, ours, base.replace('"述职情况" = 20', '"述职情况" = 30'))
    assert [c.dotted for c in conflicts] == ["grading.weights.述职情况"]
