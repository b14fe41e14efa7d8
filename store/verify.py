"""`shuping verify`: recompute what can be recomputed from the raw records and report
every stored figure that differs; check git's objects; check that no finalisation was
rewritten out of history.

Each check is a function registered with ``@check("名称")`` that takes a ``Context`` and
yields ``Finding``s. Modules that own a recomputation (scores, grades, statistics)
register theirs the same way and add their module name to ``CHECK_MODULES``, so verify
imports them.
"""

from __future__ import annotations

import hashlib
import importlib
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from schema.problems import RecordError
from schema.records import Meeting, OrgYear, Tally
from store import layout
from store.archive import Archive, Stored
from store.errors import StoreError
from store.snapshot import Snapshot, load
from store.verify_git import ObjectCheck

FINALISE_TAGS = "refs/tags/finalise/"
CHECK_MODULES: list[str] = ["store.verify_recompute", "store.verify_tags"]  # other modules with @check functions, imported by verify_archive


@dataclass(frozen=True)
class Finding:
    check: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


@dataclass
class Context:
    archive: Archive
    full: bool = False  # git's objects: `git fsck --full` rather than the quick checks (store.verify_git)
    objects: ObjectCheck | None = None  # started first, so that it runs while the records are checked

    @cached_property
    def snapshot(self) -> Snapshot:
        return load(self.archive)

    def records(self, model, pattern: str):
        """Every readable record of ``model`` whose path matches the glob ``pattern``."""
        for path in sorted(self.archive.root.glob(pattern)):
            rel = path.relative_to(self.archive.root).as_posix()
            stored = self._loaded.get(rel)
            if stored is None or not isinstance(stored.record, model):
                stored, _ = self.archive.try_read(model, rel)  # unreadable ones are the record check's
            if stored:
                yield stored

    @cached_property
    def _loaded(self) -> dict[str, Stored]:
        """The records the snapshot read (the open year's), by path: not parsed twice."""
        snap = self.snapshot
        return {s.path: s for m in (snap.orgs, snap.branches, snap.reviews, snap.meetings, snap.org_years) for s in m.values()}

    @cached_property
    def reviews_by_org(self) -> dict[str, dict[str, Stored]]:
        """The open year's reviews: organisation id → branch id → review."""
        found: dict[str, dict[str, Stored]] = {}
        for branch, stored in self.snapshot.reviews.items():
            found.setdefault(stored.record.org, {})[branch] = stored
        return found


Check = Callable[[Context], Iterable[Finding]]
CHECKS: list[tuple[str, Check]] = []


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS.append((name, fn))
        return fn

    return register


@dataclass
class Report:
    ran: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        lines = []
        for name in self.ran:
            n = sum(1 for f in self.findings if f.check == name)
            lines.append(f"{name}：{'通过' if n == 0 else f'{n} 处问题'}")
        total = len(self.findings)
        lines.append(f"共 {len(self.ran)} 项检查，" + ("全部通过。" if total == 0 else f"发现 {total} 处问题。"))
        return "\n".join(lines)


def verify_archive(archive: Archive, full: bool = False) -> Report:
    for module in CHECK_MODULES:
        importlib.import_module(module)
    context = Context(archive, full, ObjectCheck.start(archive.git, full))
    report = Report()
    found: dict[int, list[Finding]] = {}
    # the check waiting for the background work runs last; the report keeps the registered order
    for i, (name, fn) in sorted(enumerate(CHECKS), key=lambda c: c[1][1] is git_objects_are_sound):
        try:
            found[i] = list(fn(context))
        except StoreError as e:
            found[i] = [Finding(name, "", f"无法完成检查：{e}")]
        except RecordError as e:  # a record the check needed could not be read: named, and the other checks go on
            found[i] = [Finding(name, p.file, f"无法完成检查：{p}") for p in e.problems]
    for i, (name, _) in enumerate(CHECKS):
        report.ran.append(name)
        report.findings.extend(found[i])
    return report


# ---------------------------------------------------------------- the generic checks


@check("记录校验")
def records_are_valid(ctx: Context) -> Iterable[Finding]:
    from store.check import check_archive

    for p in check_archive(ctx.archive, ctx.snapshot):
        where = f"{p.file}:{p.line}" if p.line else p.file
        yield Finding("记录校验", where, f"{'[' + p.key + '] ' if p.key and not p.line else ''}{p.message}")


@check("git 对象完整")
def git_objects_are_sound(ctx: Context) -> Iterable[Finding]:
    objects = ctx.objects or ObjectCheck.start(ctx.archive.git, ctx.full)
    for where, message in objects.findings():
        yield Finding("git 对象完整", where, message)


@check("定稿未被改写")
def finalisations_are_in_history(ctx: Context) -> Iterable[Finding]:
    git = ctx.archive.git
    tags = git.run("for-each-ref", "--format=%(refname)", FINALISE_TAGS).splitlines()
    for ref in tags:
        name = ref.removeprefix("refs/tags/")
        try:
            git.run("merge-base", "--is-ancestor", ref, "HEAD")
        except StoreError:
            yield Finding("定稿未被改写", name, "定稿标签指向的提交已不在当前历史中：历史被改写（reset/rebase）过，定稿后的结果可能被改动。")
    for stored in ctx.records(OrgYear, "orgs/*/*/org-year.toml"):
        final = stored.record.grading
        if final.finalised and final.tag and f"refs/tags/{final.tag.removeprefix('refs/tags/')}" not in tags:
            yield Finding("定稿未被改写", stored.path, f"记录为已定稿，但定稿标签 {final.tag} 不存在（被删除？）。")


FROZEN = ("tally", "components", "grade")  # what finalising a grading freezes in each review


@check("定稿后未被改动")
def finalised_results_unchanged(ctx: Context) -> Iterable[Finding]:
    """After an organisation's grading was finalised (its tag), its reviews' tallies,
    components and grades change only with a recorded reason for reopening."""
    git = ctx.archive.git
    for stored in ctx.records(OrgYear, "orgs/*/*/org-year.toml"):
        final = stored.record.grading
        if not (final.finalised and final.tag):
            continue
        tag = f"refs/tags/{final.tag.removeprefix('refs/tags/')}"
        try:
            at_tag = tomllib.loads(git.run("show", f"{tag}:{stored.path}"))
        except (StoreError, tomllib.TOMLDecodeError):
            continue  # no such tag (reported above) or no record then
        reasons_then = len((at_tag.get("grading") or {}).get("reopen_reasons") or [])
        if len(final.reopen_reasons) > reasons_then:
            continue  # reopened with a reason: changes since are accounted for
        reviews = f"{layout.org_year_dir(stored.record.org, stored.record.year)}/reviews/"
        for rel in git.run("diff", "--name-only", tag, "HEAD", "--", reviews).splitlines():
            before, after = _toml_at(git, tag, rel), _toml_at(git, "HEAD", rel)
            changed = [k for k in FROZEN if before.get(k) != after.get(k)]
            if changed:
                yield Finding("定稿后未被改动", rel, f"[{'、'.join(changed)}] 在定稿（{final.tag}）之后被修改，"
                              f"但 {stored.path} 没有记录重新打开的理由。")


def _toml_at(git, rev: str, rel: str) -> dict:
    try:
        return tomllib.loads(git.run("show", f"{rev}:{rel}"))
    except (StoreError, tomllib.TOMLDecodeError):
        return {}


@check("测评票数")
def tallies_add_up(ctx: Context) -> Iterable[Finding]:
    for review in ctx.snapshot.reviews.values():
        if review.record.tally is not None:
            for message in tally_findings(review.record.tally):
                yield Finding("测评票数", review.path, message)


def tally_findings(tally: Tally) -> list[str]:
    """A published tally's marks sum to its valid ballots, and its shares match its counts."""
    found = []
    counted = sum(tally.counts.values())
    if counted != tally.valid:
        detail = "、".join(f"{k} {v}" for k, v in tally.counts.items())
        found.append(f"[tally] 各等次票数之和 {counted}（{detail}）与有效票 {tally.valid} 不符。")
    if any(v < 0 for v in tally.counts.values()):
        found.append("[tally.counts] 票数不能为负。")
    if tally.valid > 0:
        good, fair = tally.counts.get("好", 0), tally.counts.get("较好", 0)
        for key, stored, count in (("good_share", tally.good_share, good), ("good_or_fair_share", tally.good_or_fair_share, good + fair)):
            if stored is not None and not _share_matches(stored, count, tally.valid):
                found.append(f"[tally.{key}] 记录为 {stored:g}，按票数应为 {count}/{tally.valid}。")
    return found


def _share_matches(stored: float, count: int, valid: int) -> bool:
    share = count / valid
    return abs(stored - share) < 5e-4 or abs(stored - share * 100) < 0.05  # a fraction or a percentage


@check("会议票数")
def ballots_reconcile(ctx: Context) -> Iterable[Finding]:
    """发出 ≥ 收回 = 有效 + 无效, and no tally has more valid ballots than the meeting."""
    valid_by_org: dict[tuple[str, int], int] = {}
    for stored in ctx.records(Meeting, "orgs/*/*/meeting.toml"):
        b = stored.record.ballots
        explained = stored.record.override_reason.strip()  # published with a recorded reason
        if b.collected != b.valid + b.invalid and not explained:
            yield Finding("会议票数", stored.path, f"[ballots] 收回 {b.collected} 张 ≠ 有效 {b.valid} + 无效 {b.invalid}。")
        if b.issued and b.collected > b.issued:
            yield Finding("会议票数", stored.path, f"[ballots] 收回 {b.collected} 张多于发出 {b.issued} 张。")
        if b.valid:
            valid_by_org[(stored.record.org, stored.record.year)] = b.valid
    for review in ctx.snapshot.reviews.values():
        r = review.record
        limit = valid_by_org.get((r.org, r.year))
        if r.tally and limit is not None and r.tally.valid > limit:
            yield Finding("会议票数", review.path, f"[tally.valid] 有效票 {r.tally.valid} 多于评议会的有效票 {limit}。")


@check("附件未被改动")
def attachments_match_their_hash(ctx: Context) -> Iterable[Finding]:
    for stored in ctx.records(OrgYear, "orgs/*/*/org-year.toml"):
        scan = stored.record.submission.scan
        if scan is None:
            continue
        data, _ = ctx.archive.read_bytes(scan.path)
        if data is None:
            yield Finding("附件未被改动", stored.path, f"附件 {scan.name}（{scan.path}）不存在。")
        elif hashlib.sha256(data).hexdigest() != scan.sha256:
            yield Finding("附件未被改动", stored.path, f"附件 {scan.name}（{scan.path}）的内容与记录的 SHA-256 不符。")


__all__ = ["CHECKS", "CHECK_MODULES", "Context", "Finding", "Report", "check", "verify_archive"]
