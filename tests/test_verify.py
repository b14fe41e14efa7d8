"""verify catches hand-made tampering: plain file edits committed with git, and history reset past a tag."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from datetime import datetime

from schema.kinds import Grade
from schema.records import Ballot, Meeting, Review
from store import layout
from store.verify import verify_archive


def shuping_verify(archive):
    return subprocess.run([sys.executable, "-m", "tui", "verify", "--archive", str(archive.root)],
                          capture_output=True, text=True, timeout=60)


def commit_by_hand(archive, rel: str, text: str, message: str = "手工修改") -> None:
    path = archive.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    archive.git.run("add", "--", rel)
    archive.git.run("commit", "-qm", message, env={"GIT_AUTHOR_NAME": "某人", "GIT_COMMITTER_NAME": "某人"})


REVIEW = """\
schema_version = 1
branch = "b0061"
org = "logi"
year = 2020

[tally]
valid = 30
good_share = 0.5

[tally.counts]
"好" = 15
"较好" = 10
"一般" = 4
"差" = 0
"弃权" = 1
"""


def test_a_clean_archive_passes(demo_archive):
    result = shuping_verify(demo_archive)
    assert result.returncode == 0, result.stdout
    assert re.fullmatch(r"共 \d+ 项检查，全部通过。", result.stdout.splitlines()[-1])  # other issues add checks


# logi's meeting is only set up in the demo: these tests hold it on paper with b0061 alone
PAPER_MEETING = """\
schema_version = 1
org = "logi"
year = 2020
held = 2021-01-20
order = ["b0061"]
published = true
stage = "公布"

[[attendance]]
group = "委员"
due = 40
present = 30

[ballots]
issued = 30
collected = 30
valid = 30
"""


def test_hand_edited_tally_is_caught(demo_archive):
    rel = layout.review_path("logi", 2020, "b0061")
    commit_by_hand(demo_archive, layout.meeting_path("logi", 2020), PAPER_MEETING)
    commit_by_hand(demo_archive, rel, REVIEW)
    assert verify_archive(demo_archive).findings == []
    commit_by_hand(demo_archive, rel, REVIEW.replace('"好" = 15', '"好" = 18'), "把好票改多")
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert f"[测评票数] {rel}: [tally] 各等次票数之和 33（好 18、较好 10、一般 4、差 0、弃权 1）与有效票 30 不符。" in result.stdout
    assert f"[测评票数] {rel}: [tally.good_share] 记录为 0.5，按票数应为 18/30。" in result.stdout
    assert "测评票数：2 处问题" in result.stdout


def test_scope_exception_without_reason_is_caught(demo_archive):
    rel = layout.review_path("logi", 2020, "b0062")
    commit_by_hand(demo_archive, rel, REVIEW.split("[tally]")[0].replace("b0061", "b0062")
                   + '[scope_exception]\nin_scope = false\nreason = ""\n')
    report = verify_archive(demo_archive)
    assert [(f.check, f.file, f.message) for f in report.findings] == [("记录校验", f"{rel}:8", "不能为空")]


def test_meeting_ballots_that_do_not_reconcile(demo_archive):
    from store.snapshot import load

    valid = max((r.record.tally.valid for r in load(demo_archive).reviews.values()
                 if r.record.org == "logi" and r.record.tally), default=30)
    rel = layout.meeting_path("logi", 2020)
    commit_by_hand(demo_archive, rel, 'schema_version = 1\norg = "logi"\nyear = 2020\n\n'
                   f"[ballots]\nissued = {valid + 10}\ncollected = {valid + 8}\nvalid = {valid}\ninvalid = 2\n")
    messages = [f.message for f in verify_archive(demo_archive).findings]
    assert f"[ballots] 收回 {valid + 8} 张 ≠ 有效 {valid} + 无效 2。" in messages
    # published with a recorded reason, the difference is explained, not an error
    commit_by_hand(demo_archive, rel, 'schema_version = 1\norg = "logi"\nyear = 2020\noverride_reason = "两张票在会场遗失，已记录"\n\n'
                   f"[ballots]\nissued = {valid + 10}\ncollected = {valid + 8}\nvalid = {valid}\ninvalid = 2\n")
    messages = [f.message for f in verify_archive(demo_archive).findings]
    assert not any("收回" in m and "≠" in m for m in messages)


CHEM_TAG = "finalise/2020/chem/1"  # the demo finalised chem's grading


def test_history_reset_past_a_finalisation_tag_is_caught(demo_archive):
    demo_archive.git.run("reset", "-q", "--hard", f"{CHEM_TAG}~1")
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert f"[定稿未被改写] {CHEM_TAG}: 定稿标签指向的提交已不在当前历史中" in result.stdout


def test_deleted_finalisation_tag_is_caught(demo_archive):
    demo_archive.git.run("tag", "-d", CHEM_TAG)
    findings = verify_archive(demo_archive).findings
    assert [f.message for f in findings] == [f"记录为已定稿，但定稿标签 {CHEM_TAG} 不存在（被删除？）。"]


def test_corrupt_git_object_is_caught(demo_archive):
    demo_archive.git.run("repack", "-q", "-a", "-d")
    commit_by_hand(demo_archive, "orgs/logi/note.md", "备注\n")
    blob = demo_archive.git.run("rev-parse", "HEAD:orgs/logi/note.md")
    obj = demo_archive.git.git_dir / "objects" / blob[:2] / blob[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"not a git object")
    findings = verify_archive(demo_archive).findings
    assert any(f.check == "git 对象完整" for f in findings)


def test_tampered_attachment_is_caught(demo_archive, tmp_path):
    from store.attachments import prepare

    scan = tmp_path / "盖章扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 stamped")
    attachment, change = prepare(demo_archive, "logi", 2020, scan)
    demo_archive.commit([change], "上传附件")
    commit_by_hand(demo_archive, layout.org_year_path("logi", 2020), 'schema_version = 1\norg = "logi"\nyear = 2020\n\n'
                   f'[submission.scan]\nname = "{attachment.name}"\npath = "{attachment.path}"\nsha256 = "{attachment.sha256}"\n')
    assert verify_archive(demo_archive).findings == []
    commit_by_hand(demo_archive, attachment.path, "%PDF-1.4 altered")
    assert [f.check for f in verify_archive(demo_archive).findings] == ["附件未被改动"]


def regrade_by_hand(archive, rel: str, grade: str, reason: str, message: str) -> None:
    text = (archive.root / rel).read_text()
    head, tail = text.split("[grade]\n", 1)
    block, rest = tail.split("\n\n", 1)
    block = re.sub(r'^final = ".*"$', f'final = "{grade}"', block, flags=re.M)
    block = re.sub(r'^reason = ".*"$', f'reason = "{reason}"', block, flags=re.M)
    commit_by_hand(archive, rel, f"{head}[grade]\n{block}\n\n{rest}", message)


def test_a_grade_changed_after_finalising_without_a_reason_is_caught(demo_archive):
    from store.grading import reopen
    from store.snapshot import load

    review = layout.review_path("chem", 2020, "b0001")
    org_year = layout.org_year_path("chem", 2020)
    regrade_by_hand(demo_archive, review, "一般", "复核", "悄悄改等次")
    findings = verify_archive(demo_archive).findings
    assert [(f.check, f.file) for f in findings] == [("定稿后未被改动", review), ("评定重算", org_year)]
    assert findings[0].message.startswith(f"[grade] 在定稿（{CHEM_TAG}）之后被修改")
    assert findings[1].message == "[grade.final] 定档时为（好 3、较好 9、一般 0、差 0），现为（好 3、较好 8、一般 1、差 0）。"
    reopen(demo_archive, load(demo_archive).orgs["chem"].record, 2020, "复核发现录入错误", datetime.now())
    assert verify_archive(demo_archive).findings == []


# ---------------------------------------------------------------- recomputation from the raw records


def test_the_fresh_demo_recomputes_clean(demo_archive):
    report = verify_archive(demo_archive)
    assert {"测评结果重算", "评议会记录", "评定重算"} <= set(report.ran)
    assert report.findings == []


def test_a_ballot_changed_by_hand_is_caught_in_the_tally(demo_archive):
    """lang keyed one pass: turn one 好 on ballot 3 into 差 and the published tally no longer matches."""
    meeting = demo_archive.read(Meeting, layout.meeting_path("lang", 2020)).record
    ballot = layout.ballot_path("lang", 2020, 1, 3)
    text = (demo_archive.root / ballot).read_text()
    branch, old = next((b, m) for b, m in Ballot.model_validate(tomllib.loads(text)).marks.items() if m in ("好", "较好"))
    commit_by_hand(demo_archive, ballot, text.replace(f'"{branch}" = "{old}"', f'"{branch}" = "差"'), "改一张票")
    review = layout.review_path("lang", 2020, branch)
    tally = demo_archive.read(Review, review).record.tally
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"[测评结果重算] {review}: [tally.counts.{old}] 记录为 {tally.counts[old]} 票，按测评票重算为 {tally.counts[old] - 1} 票。" in lines
    assert f"[测评结果重算] {review}: [tally.counts.差] 记录为 {tally.counts['差']} 票，按测评票重算为 {tally.counts['差'] + 1} 票。" in lines
    assert any(line.startswith(f"[测评结果重算] {review}: [tally.score] 记录为 {tally.score:g}，按测评票重算为 ") for line in lines)
    assert branch in meeting.order and "测评结果重算：" in result.stdout


def test_a_meeting_count_changed_by_hand_is_caught(demo_archive):
    rel = layout.meeting_path("math", 2020)
    text = (demo_archive.root / rel).read_text()
    commit_by_hand(demo_archive, rel, text.replace("invalid = 1", "invalid = 0").replace("collected = 24", "collected = 23"))
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert f"[评议会记录] {rel}: [ballots.invalid] 记录为 0 张，按测评票重算为 1 张。" in result.stdout
    assert f"[评议会记录] {rel}: [ballots] 已公布但不平衡：发出 24 张 ≠ 收回 23 张 + 未收回 0 张（少 1 张）。" in result.stdout


def test_a_tally_without_a_published_meeting_is_caught(demo_archive):
    rel = layout.review_path("logi", 2020, "b0061")
    commit_by_hand(demo_archive, rel, REVIEW)
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert f"[评议会记录] {rel}: [tally] 有测评结果，但评议会（阶段：筹备）尚未公布结果。" in result.stdout


def test_a_paper_tally_that_disagrees_with_its_meeting_is_caught(demo_archive):
    rel = layout.review_path("med", 2020, "b0037")
    text = (demo_archive.root / rel).read_text()
    valid = demo_archive.read(Meeting, layout.meeting_path("med", 2020)).record.ballots.valid
    commit_by_hand(demo_archive, rel, text.replace(f"valid = {valid}\n", f"valid = {valid + 1}\n", 1))
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert f"[评议会记录] {rel}" not in result.stdout
    assert f"[测评结果重算] {rel}: [tally.valid] 记录为 {valid + 1} 张，评议会记录的有效票为 {valid} 张。" in result.stdout


def test_grades_over_the_quota_are_caught(demo_archive):
    """lib (4 branches: at most 1 好) gets a second 好 by hand, with a reason."""
    snap_reviews = {p.name: demo_archive.read(Review, f"{layout.org_year_dir('lib', 2020)}/reviews/{p.name}").record
                    for p in (demo_archive.root / layout.org_year_dir("lib", 2020) / "reviews").glob("*.toml")}
    name, review = next((n, r) for n, r in sorted(snap_reviews.items()) if r.grade.final != Grade.GOOD)
    rel = f"{layout.org_year_dir('lib', 2020)}/reviews/{name}"
    regrade_by_hand(demo_archive, rel, "好", "表现突出", "把等次改成好")
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert re.search(rf"^\[评定重算\] orgs/lib/2020/reviews/: \[grade.final\] 好 2 个，上限 1 个（30% × 4 = 1.2，向下取整）：.+、.+。$",
                     result.stdout, re.M)
    assert "评定重算：1 处问题" in result.stdout
    assert review.grade.suggested is not None


def test_a_suggestion_that_does_not_follow_the_inputs_is_caught(demo_archive):
    rel = layout.review_path("mech", 2020, "b0027")
    text = (demo_archive.root / rel).read_text()
    review = Review.model_validate(tomllib.loads(text))
    other = "差" if review.grade.suggested != Grade.POOR else "好"
    fake = text.replace(f'suggested = "{review.grade.suggested.value}"', f'suggested = "{other}"')
    fake = re.sub(r'^final = ".*"$', f'final = "{other}"', fake, flags=re.M)
    commit_by_hand(demo_archive, rel, fake, "改建议等次")
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert re.search(rf"^\[评定重算\] {rel}: \[grade.suggested\] 记录为“{other}”，按评定输入和权重重算应为“{review.grade.suggested.value}”"
                     r"（综合得分 [\d.]+，第 \d+ 名.*）。$", result.stdout, re.M)


# ---------------------------------------------------------------- attacks a central copy without its hook accepted


def plain_git(cwd, *args, env=None):
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "GIT_AUTHOR_NAME": "李四", "GIT_COMMITTER_NAME": "李四",
                                 "GIT_AUTHOR_EMAIL": "x@e", "GIT_COMMITTER_EMAIL": "x@e", **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def attacked_copy(demo_archive, tmp_path, attack):
    """A central bare copy with no hook, ``attack(work)`` pushed into it from a clone, and a fresh clone of it."""
    bare, work, copy = tmp_path / "central.git", tmp_path / "work", tmp_path / "copy"
    plain_git(tmp_path, "clone", "-q", "--bare", str(demo_archive.root), str(bare))
    plain_git(tmp_path, "clone", "-q", str(bare), str(work))
    attack(work)
    plain_git(tmp_path, "clone", "-q", str(bare), str(copy))
    return bare, copy


def verify_at(path, *extra):
    return subprocess.run([sys.executable, "-m", "tui", "verify", "--archive", str(path), *extra],
                          capture_output=True, text=True, timeout=120)


def test_verify_reports_a_merge_that_reverted_a_finalised_organisation(demo_archive, tmp_path):
    def attack(work):
        old = plain_git(work, "rev-list", "-1", "--grep", "^评定：化学与材料学院党委", "HEAD") + "~1"
        env = {"GIT_INDEX_FILE": str(work / ".git" / "attack-index")}
        plain_git(work, "read-tree", "HEAD", env=env)
        plain_git(work, "rm", "-rq", "--cached", "orgs/chem", env=env)
        plain_git(work, "read-tree", "--prefix=orgs/chem/", f"{old}:orgs/chem", env=env)
        tree = plain_git(work, "write-tree", env=env)
        merge = plain_git(work, "commit-tree", tree, "-p", "HEAD", "-p", old, "-m", "合并")
        plain_git(work, "push", "-q", "origin", f"{merge}:refs/heads/main")

    _, copy = attacked_copy(demo_archive, tmp_path, attack)
    result = verify_at(copy)
    assert result.returncode == 1
    assert (f"[定稿标签与记录一致] {layout.org_year_path('chem', 2020)}: 有定稿标签 {CHEM_TAG}，"
            "但该记录现在没有记录这次定稿，也没有记录重新打开的理由。") in result.stdout, result.stdout


def swap_two_grades(work, org="chem"):
    folder = work / layout.org_year_dir(org, 2020) / "reviews"
    files = sorted(folder.glob("*.toml"))
    grades = {f: tomllib.loads(f.read_text())["grade"]["final"] for f in files}
    a = files[0]
    b = next(f for f in files if grades[f] != grades[a])
    ta, tb = a.read_text(), b.read_text()
    a.write_text(ta.replace(f'final = "{grades[a]}"', f'final = "{grades[b]}"'))
    b.write_text(tb.replace(f'final = "{grades[b]}"', f'final = "{grades[a]}"'))
    plain_git(work, "commit", "-qam", "调换两个等次")


def test_verify_reports_a_grade_swap_that_was_re_tagged(demo_archive, tmp_path):
    def attack(work):
        subject = plain_git(work, "for-each-ref", "--format=%(contents:subject)", f"refs/tags/{CHEM_TAG}")
        swap_two_grades(work)
        plain_git(work, "push", "-q", "origin", "HEAD:main", f":refs/tags/{CHEM_TAG}")
        plain_git(work, "tag", "-f", "-a", CHEM_TAG, "-m", subject)
        plain_git(work, "push", "-q", "origin", f"refs/tags/{CHEM_TAG}")

    bare, copy = attacked_copy(demo_archive, tmp_path, attack)
    result = verify_at(copy)
    assert result.returncode == 1
    assert f"[定稿标签与记录一致] {CHEM_TAG}: 定稿标签不在定档的那次提交上" in result.stdout, result.stdout
    result = verify_at(demo_archive.root, "--against", str(bare))  # the department's copy against the central one
    assert result.returncode == 1
    assert f"[与另一份副本一致] {CHEM_TAG}: 两份的定稿标签不同" in result.stdout, result.stdout


def test_verify_reports_a_tag_whose_grades_differ_from_its_commit(demo_archive, tmp_path):
    def attack(work):
        plain_git(work, "tag", "-d", CHEM_TAG)
        swap_two_grades(work)  # then changes one grade's distribution by hand and tags with the old message
        rel = next((work / layout.org_year_dir("chem", 2020) / "reviews").glob("*.toml"))
        text = rel.read_text()
        old = tomllib.loads(text)["grade"]["final"]
        rel.write_text(text.replace(f'final = "{old}"', 'final = "差"'))
        plain_git(work, "commit", "-qam", "改一个等次")
        finalising = plain_git(work, "rev-list", "-1", "--grep", "^定档：化学与材料学院党委", "HEAD")
        subject = plain_git(work, "log", "-1", "--format=%s", finalising)
        plain_git(work, "push", "-q", "origin", "HEAD:main", f":refs/tags/{CHEM_TAG}")
        plain_git(work, "tag", "-a", CHEM_TAG, "-m", subject.replace("一般 0、差 0", "一般 0、差 1"), finalising)
        plain_git(work, "push", "-q", "origin", f"refs/tags/{CHEM_TAG}")

    _, copy = attacked_copy(demo_archive, tmp_path, attack)
    result = verify_at(copy)
    assert result.returncode == 1
    assert f"[定稿标签与记录一致] {CHEM_TAG}: 定稿标签记录的等次" in result.stdout, result.stdout


def test_verify_against_reports_replace_refs_and_rewritten_history(demo_archive, tmp_path):
    def attack(work):
        blob = plain_git(work, "rev-parse", "HEAD:shuping.toml")
        (work / "forged.toml").write_text("schema_version = 1\n")
        fake = plain_git(work, "hash-object", "-w", "forged.toml")
        plain_git(work, "replace", blob, fake)
        plain_git(work, "push", "-q", "origin", f"refs/replace/{blob}")
        plain_git(work, "reset", "-q", "--hard", "HEAD~3")
        plain_git(work, "commit", "-q", "--allow-empty", "-m", "改写")
        plain_git(work, "push", "-q", "--force", "origin", "HEAD:main")

    bare, _ = attacked_copy(demo_archive, tmp_path, attack)
    result = verify_at(demo_archive.root, "--against", str(bare))
    assert result.returncode == 1
    assert "[与另一份副本一致] refs/replace/" in result.stdout, result.stdout
    assert "[与另一份副本一致] main: main 的历史不一致：自 " in result.stdout
    assert "本地有 3 个提交不在对方" in result.stdout and "对方有 1 个提交不在本地" in result.stdout
    assert "与另一份副本一致：2 处问题" in result.stdout


def test_verify_against_an_identical_copy_passes(demo_archive, tmp_path):
    bare = tmp_path / "central.git"
    plain_git(tmp_path, "clone", "-q", "--bare", str(demo_archive.root), str(bare))
    result = verify_at(demo_archive.root, "--against", str(bare))
    assert result.returncode == 0, result.stdout
    assert "与另一份副本一致：通过" in result.stdout


def test_a_changed_byte_in_a_pack_is_caught_without_full(demo_archive):
    """The quick object check (store.verify_git): a pack's trailer no longer matches its bytes."""
    demo_archive.git.run("repack", "-q", "-a", "-d")
    pack = next((demo_archive.git.git_dir / "objects" / "pack").glob("*.pack"))
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    found = [f for f in verify_archive(demo_archive).findings if f.check == "git 对象完整"]
    assert any(f.file == f".git/objects/pack/{pack.name}" and "校验和" in f.message for f in found), found


def test_full_verify_hashes_every_object_again(demo_archive, monkeypatch):
    """--full runs `git fsck --full`; the default `--connectivity-only` plus the file checks."""
    from store import verify_git

    seen = []
    real = verify_git.ObjectCheck._run_fsck
    monkeypatch.setattr(verify_git.ObjectCheck, "_run_fsck", lambda self: seen.append(self.full) or real(self))
    assert verify_archive(demo_archive, full=True).findings == []
    assert verify_archive(demo_archive).findings == []
    assert seen == [True, False]
    result = subprocess.run([sys.executable, "-m", "tui", "verify", "--full", "--archive", str(demo_archive.root)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
