"""Property tests: a record survives read/modify/write with comments and untouched keys
byte-identical; the merge driver merges disjoint changes into both; the tallies of any
ballots reconcile and verify catches any miscount; the grading suggestion never gives
more 好 than the cap."""

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


# ---------------------------------------------------------------- grading suggestion and recounted tallies

scores = st.one_of(st.none(), st.integers(0, 100).map(float), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)))


@SETTINGS
@given(
    st.lists(st.tuples(scores, scores, scores, scores), min_size=0, max_size=25),
    st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0]),
    st.sampled_from(["floor", "round", "ceil"]),
    st.booleans(),
)
def test_the_suggestion_never_gives_more_good_than_the_cap(rows, fraction, rounding, break_ties):
    from schema.grading import Entry, suggest
    from schema.kinds import Grade
    from schema.quota import good_cap
    from schema.records import GradingSettings, Quota

    settings = GradingSettings()
    if break_ties:
        settings = settings.model_copy(update={"tie_break": [*settings.tie_break, "id"]})
    quota = Quota(good_max=fraction, rounding=rounding)
    keys = ["report", "rating", "daily", "inspection"]
    entries = [Entry(f"b{n:03}", dict(zip(keys, row))) for n, row in enumerate(rows)]
    result = suggest(entries, settings, quota, n=len(entries))
    good = [s for s in result if s.suggested == Grade.GOOD]
    assert len(good) <= good_cap(len(entries), fraction, rounding)
    assert all(s.band == Grade.GOOD for s in good)  # the quota only ever lowers a band
    assert sorted(s.branch for s in result) == [e.branch for e in entries]
    if break_ties:  # with every tie broken the cap is filled as far as the band allows
        in_band = sum(1 for s in result if s.band == Grade.GOOD)
        assert len(good) == min(in_band, good_cap(len(entries), fraction, rounding))


MARKS = ["好", "较好", "一般", "差", "弃权", "多选", ""]
COLUMNS = ["a", "b", "c"]


def ballots_strategy():
    from schema.kinds import BallotStatus
    from schema.records import Ballot

    one = st.tuples(st.fixed_dictionaries({c: st.sampled_from(MARKS) for c in COLUMNS}),
                    st.sampled_from([BallotStatus.FINISHED] * 4 + [BallotStatus.INVALID]),
                    st.sampled_from(["委员", "其他参会人员"]))
    return st.lists(one, max_size=40).map(lambda rows: [
        Ballot(org="o", year=2020, entry=1, serial=n, marks=marks, status=status, group=group)
        for n, (marks, status, group) in enumerate(rows, start=1)
    ])


@SETTINGS
@given(ballots_strategy(), st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.sampled_from(COLUMNS))
def test_tallies_recounted_from_any_ballots_reconcile(ballots, overmarked_voids, uniform_voids, trimmed, groups, column):
    from schema.kinds import BallotForm
    from schema.recompute import score_from_counts, tally_differences
    from schema.records import FrozenSettings, RaterGroup, ScoringSettings
    from schema.reconcile import tally_messages
    from schema.tally import tally_meeting, valid_ballots
    from store.verify import tally_findings

    scoring = ScoringSettings(overmarked_voids_ballot=overmarked_voids, uniform_voids_ballot=uniform_voids, trimmed_mean=trimmed,
                              rater_groups=[RaterGroup(name="委员", weight=0.6), RaterGroup(name="其他参会人员", weight=0.4)] if groups else [])
    frozen = FrozenSettings(at="2021-01-12T16:00:00+08:00", form=BallotForm.GRADES, columns=COLUMNS, scoring=scoring)
    valid = len(valid_ballots(ballots, frozen))
    tallies = tally_meeting(ballots, frozen)
    assert set(tallies) == set(COLUMNS)
    for tally in tallies.values():
        assert tally.valid == valid
        assert sum(tally.counts.values()) == valid  # 好 + 较好 + 一般 + 差 + 弃权 = valid ballots
        assert all(v >= 0 for v in tally.counts.values())
        assert tally_findings(tally) == []  # what verify checks of a stored tally holds for a fresh one
        assert tally_differences(tally, tally) == []
        if not groups:  # a paper count's score follows from the counts alone, as the ballots' does
            assert score_from_counts(tally.counts, tally.valid, scoring) == tally.score
    assert tally_messages(tallies, {}, valid) == []
    # a stored tally one vote off is caught by the recount
    stored = tallies[column]
    if valid:
        moved = next(g for g in ("好", "较好", "一般", "差", "弃权") if stored.counts[g] > 0)
        other = "差" if moved != "差" else "好"
        forged = stored.model_copy(update={"counts": {**stored.counts, moved: stored.counts[moved] - 1, other: stored.counts[other] + 1}})
        assert any(f"[tally.counts.{moved}]" in m for m in tally_differences(forged, stored))
