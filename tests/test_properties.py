"""Property tests: a record survives read/modify/write with comments and untouched keys
byte-identical; the merge driver merges disjoint changes into both; the tallies of any
ballots reconcile and verify catches any miscount; no scores make the suggested
好 exceed the quota."""

from __future__ import annotations

import tomllib
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema.kinds import BranchKind
from schema.records import Branch, BranchFacts, Review
from store.mergedriver import merge3
from store.tomlio import render

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500))
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2020, 12, 31))

branches = st.builds(
    Branch,
    id=st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True),
    org=st.just("chem"),
    name=names,
    kind=st.sampled_from(list(BranchKind)),
    founded=days,
    secretary=text,
    members=counts,
    code=st.one_of(st.none(), st.from_regex(r"44[0-9]{8}", fullmatch=True)),
    last_election=st.one_of(st.none(), days),
    committee_size=counts,
)
EDITABLE = ["name", "secretary", "members", "code", "last_election", "committee_size", "founded", "kind"]


def with_comments(text: str) -> str:
    """Hand edits: a header comment, a comment line before every key and one at the end of each line."""
    out = ["# 组织部手工添加的说明", ""]
    for line in text.splitlines():
        if "=" in line and not line.startswith("["):
            out.append(f"# 关于 {line.split('=')[0].strip()} 的注释")
            out.append(f"{line}  # 已核对")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


@SETTINGS
@given(branches, branches, st.lists(st.sampled_from(EDITABLE), min_size=1, max_size=3, unique=True))
def test_read_modify_write_keeps_comments_and_untouched_keys(original, other, fields):
    before = with_comments(render(original))
    changed = original.model_copy(update={f: getattr(other, f) for f in fields})
    after = render(changed, before)
    assert Branch.model_validate(tomllib.loads(after)) == changed  # the new values are what is written
    kept = after.splitlines()
    for line in before.splitlines():
        key = line.split("=")[0].strip()
        if line.startswith("#") or not line.strip():
            assert line in kept  # comments and blank lines survive
        elif getattr(original, key) == getattr(changed, key):
            assert line in kept  # untouched keys are byte-identical, inline comment included


@SETTINGS
@given(st.integers(0, 20), st.integers(0, 12), text)
def test_nested_tables_keep_untouched_lines(meetings, dues, commendations):
    review = Review(branch="b1", org="chem", year=2020, facts=BranchFacts(general_meetings=1, party_lectures=2, dues_months=3))
    before = "# 年度评议记录\n" + render(review).replace("party_lectures = 2", "party_lectures = 2 # 含专题党课")
    changed = review.model_copy(update={"facts": review.facts.model_copy(update={
        "general_meetings": meetings, "dues_months": dues, "commendations": commendations})})
    after = render(changed, before)
    assert Review.model_validate(tomllib.loads(after)) == changed
    assert after.startswith("# 年度评议记录\n")
    assert "party_lectures = 2 # 含专题党课" in after.splitlines()


@SETTINGS
@given(branches, branches, st.lists(st.sampled_from(EDITABLE), min_size=2, max_size=6, unique=True))
def test_merge_of_disjoint_changes_has_both(base, other, fields):
    half = len(fields) // 2
    ours_fields, theirs_fields = fields[:half], fields[half:]
    ours = base.model_copy(update={f: getattr(other, f) for f in ours_fields})
    theirs = base.model_copy(update={f: getattr(other, f) for f in theirs_fields})
    base_text = with_comments(render(base))
    merged, conflicts = merge3(base_text, render(ours, base_text), render(theirs, base_text))
    assert conflicts == []
    expected = base.model_copy(update={f: getattr(other, f) for f in fields})
    assert Branch.model_validate(tomllib.loads(merged)) == expected


GRADES = ["好", "较好", "一般", "差", "弃权"]


@SETTINGS
@given(st.lists(st.sampled_from(GRADES), max_size=80), st.booleans(), st.sampled_from(GRADES), st.integers(1, 5))
def test_tallies_of_any_ballots_reconcile_and_any_miscount_is_caught(marks, percent, grade, error):
    from schema.records import Tally
    from store.verify import tally_findings

    counts = {g: marks.count(g) for g in GRADES}
    valid = len(marks)
    scale = 100 if percent else 1
    shares = {"good_share": round(counts["好"] / valid * scale, 4), "good_or_fair_share":
              round((counts["好"] + counts["较好"]) / valid * scale, 4)} if valid else {}
    tally = Tally(counts=counts, valid=valid, **shares)
    assert tally_findings(tally) == []
    miscounted = tally.model_copy(update={"counts": {**counts, grade: counts[grade] + error}})
    assert any("与有效票" in f for f in tally_findings(miscounted))


scores = st.one_of(st.none(), st.sampled_from([60.0, 75.0, 89.99, 90.0, 95.0, 100.0]), st.floats(0, 100))


@SETTINGS
@given(st.lists(st.tuples(scores, scores, st.one_of(st.none(), st.floats(0, 1))), max_size=40),
       st.sampled_from([0.0, 0.1, 0.3, 0.5]), st.sampled_from(["floor", "round", "ceil"]),
       st.sampled_from([None, ["composite"], ["composite", "id"], ["good_share", "composite"]]))
def test_no_scores_make_the_suggestion_exceed_the_quota(rows, fraction, rounding, tie_break):
    from schema.grading import Entry, cap_for, suggest
    from schema.kinds import Grade, Rounding
    from schema.records import GradingSettings, Quota

    quota = Quota(good_max=fraction, rounding=Rounding(rounding))
    grading = GradingSettings(tie_break=tie_break) if tie_break else GradingSettings()
    entries = [Entry(f"b{i:02d}", {"测评结果": rating, "督查检查": check}, good_share=share)
               for i, (rating, check, share) in enumerate(rows)]
    result = suggest(entries, grading, quota)
    good = [s for s in result if s.suggested == Grade.GOOD]
    assert len(good) <= cap_for(len(entries), quota).cap
    assert sorted(s.branch for s in result) == sorted(e.branch for e in entries)
    # filled by rank: no branch left at 较好 by the cap ranks strictly better than one given 好
    left_out = [s.rank for s in result if s.band == Grade.GOOD and s.suggested != Grade.GOOD]
    assert all(g.rank <= r for g in good for r in left_out)
