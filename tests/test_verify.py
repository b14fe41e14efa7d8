"""verify catches hand-made tampering: plain file edits committed with git, and history reset past a tag."""

from __future__ import annotations

import re
import subprocess
import sys

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


def test_hand_edited_tally_is_caught(demo_archive):
    rel = layout.review_path("logi", 2020, "b0061")
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


def test_history_reset_past_a_finalisation_tag_is_caught(demo_archive):
    rel = layout.org_year_path("logi", 2020)
    commit_by_hand(demo_archive, rel, 'schema_version = 1\norg = "logi"\nyear = 2020\n\n[grading]\nfinalised = true\n'
                   'tag = "finalise/logi-2020"\n', "定稿：后勤集团党总支 2020 年度评定")
    demo_archive.git.run("tag", "finalise/logi-2020")
    assert verify_archive(demo_archive).findings == []
    demo_archive.git.run("reset", "-q", "--hard", "HEAD~1")
    result = shuping_verify(demo_archive)
    assert result.returncode == 1
    assert "[定稿未被改写] finalise/logi-2020: 定稿标签指向的提交已不在当前历史中" in result.stdout


def test_deleted_finalisation_tag_is_caught(demo_archive):
    rel = layout.org_year_path("logi", 2020)
    commit_by_hand(demo_archive, rel, 'schema_version = 1\norg = "logi"\nyear = 2020\n\n[grading]\nfinalised = true\n'
                   'tag = "finalise/logi-2020"\n')
    findings = verify_archive(demo_archive).findings
    assert [f.message for f in findings] == ["记录为已定稿，但定稿标签 finalise/logi-2020 不存在（被删除？）。"]


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


def test_a_grade_changed_after_finalising_without_a_reason_is_caught(demo_archive):
    review = layout.review_path("logi", 2020, "b0061")
    org_year = layout.org_year_path("logi", 2020)
    final = 'schema_version = 1\norg = "logi"\nyear = 2020\n\n[grading]\nfinalised = true\ntag = "finalise/logi-2020"\n'
    commit_by_hand(demo_archive, review, REVIEW + '\n[grade]\nfinal = "较好"\n')
    commit_by_hand(demo_archive, org_year, final, "定稿")
    demo_archive.git.run("tag", "finalise/logi-2020")
    commit_by_hand(demo_archive, review, REVIEW + '\n[grade]\nfinal = "好"\n', "悄悄改等次")
    findings = verify_archive(demo_archive).findings
    assert [(f.check, f.file) for f in findings] == [("定稿后未被改动", review)]
    assert findings[0].message.startswith("[grade] 在定稿（finalise/logi-2020）之后被修改")
    commit_by_hand(demo_archive, org_year, final.replace("tag =", 'reopen_reasons = ["复核发现录入错误"]\ntag ='), "重新打开")
    assert verify_archive(demo_archive).findings == []
