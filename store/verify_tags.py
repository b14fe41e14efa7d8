"""verify's checks of the finalisation tags against the records, and `verify --against`:
the finalisation tags and main's history compared with another copy of the archive."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from dataclasses import dataclass
from typing import Iterable

from schema.grading import distribution, distribution_text
from schema.kinds import Grade
from schema.recompute import parse_distribution
from store import layout
from store.errors import StoreError
from store.gitrepo import QUIET_ENV
from store.verify import FINALISE_TAGS, Context, Finding, check

TAGS = "定稿标签与记录一致"
REFS = "没有替换对象"
AGAINST = "与另一份副本一致"
TAG_NAME = re.compile(r"finalise/(\d{4})/([^/]+)/(\d+)$")


@dataclass(frozen=True)
class Tag:
    name: str  # finalise/2020/chem/1
    object: str
    commit: str
    subject: str

    @property
    def org(self) -> str:
        return TAG_NAME.match(self.name).group(2)

    @property
    def year(self) -> int:
        return int(TAG_NAME.match(self.name).group(1))


def finalisation_tags(git) -> list[Tag]:
    out = git.run("for-each-ref", "--format=%(refname:short)%00%(objectname)%00%(*objectname)%00%(contents:subject)", FINALISE_TAGS)
    tags = []
    for line in out.splitlines():
        name, obj, peeled, subject = (line.split("\0") + ["", "", ""])[:4]
        if TAG_NAME.match(name):
            tags.append(Tag(name, obj, peeled or obj, subject))
    return tags


def read_blobs(root, specs: list[str]) -> dict[str, str | None]:
    """``rev:path`` → the text there (None when there is none), in one `git cat-file --batch`."""
    if not specs:
        return {}
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input="\n".join(specs).encode() + b"\n",
                         capture_output=True, timeout=600, env={**os.environ, **QUIET_ENV})
    if out.returncode != 0:
        raise StoreError(f"git cat-file 失败：{out.stderr.decode(errors='replace').strip()}")
    data, found, at = out.stdout, {}, 0
    for spec in specs:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[spec] = data[at:at + size].decode("utf-8", errors="replace")
            at += size + 1
        elif len(header) == 3:  # a tree or commit: skip its content
            at += int(header[2]) + 1
            found[spec] = None
        else:
            found[spec] = None
    return found


def _toml(text: str | None) -> dict:
    try:
        return tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        return {}


def _grading(text: str | None) -> dict:
    return _toml(text).get("grading") or {}


def _records_tag(grading: dict, name: str) -> bool:
    return grading.get("finalised") is True and str(grading.get("tag") or "").removeprefix("refs/tags/") == name


@check(TAGS)
def tags_match_the_records(ctx: Context) -> Iterable[Finding]:
    """Each finalisation tag sits on the commit that finalised its organisation (whose org-year.toml
    records it, its parent's not yet), its message's grades are those at that commit, and the
    organisation still records it unless a reopening is recorded since."""
    git, root = ctx.archive.git, ctx.archive.root
    tags = finalisation_tags(git)
    specs = []
    for tag in tags:
        path = layout.org_year_path(tag.org, tag.year)
        specs += [f"{tag.commit}:{path}", f"{tag.commit}^:{path}", f"HEAD:{path}"]
    blobs = read_blobs(root, specs)
    latest: dict[tuple[str, int], int] = {}
    for tag in tags:
        n = int(tag.name.rsplit("/", 1)[1])
        latest[(tag.org, tag.year)] = max(n, latest.get((tag.org, tag.year), 0))
    review_specs: dict[Tag, list[str]] = {}
    for tag in tags:
        path = layout.org_year_path(tag.org, tag.year)
        then, before, now = (_grading(blobs[f"{rev}:{path}"]) for rev in (tag.commit, f"{tag.commit}^", "HEAD"))
        if not _records_tag(then, tag.name):
            yield Finding(TAGS, tag.name, f"定稿标签指向的提交 {tag.commit[:10]} 中，{path} 没有记录这次定稿（应为已定稿、标签 {tag.name}）。")
            continue
        if _records_tag(before, tag.name):
            yield Finding(TAGS, tag.name, f"定稿标签不在定档的那次提交上（{tag.commit[:10]} 之前已记录该定稿）：标签被删除后重新打在了别的提交上。")
        reasons_then = len(then.get("reopen_reasons") or [])
        if not _records_tag(now, tag.name) and len(now.get("reopen_reasons") or []) <= reasons_then:
            yield Finding(TAGS, path, f"有定稿标签 {tag.name}，但该记录现在没有记录这次定稿，也没有记录重新打开的理由。")
        if parse_distribution(tag.subject) is not None:
            folder = f"{layout.org_year_dir(tag.org, tag.year)}/reviews/"
            try:
                names = git.run("ls-tree", "--name-only", f"{tag.commit}:{folder}").splitlines()
            except StoreError:
                names = []
            review_specs[tag] = [f"{tag.commit}:{folder}{name}" for name in names if name.endswith(".toml")]
    reviews = read_blobs(root, [s for specs in review_specs.values() for s in specs])
    for tag, specs in review_specs.items():
        grades = [_grade(_toml(reviews[s])) for s in specs]
        then, recorded = distribution(grades), parse_distribution(tag.subject)
        if recorded != then:
            yield Finding(TAGS, tag.name, f"定稿标签记录的等次（{distribution_text(recorded)}）与该提交中的等次（{distribution_text(then)}）不符。")


def _grade(review: dict) -> Grade | None:
    try:
        return Grade((review.get("grade") or {}).get("final"))
    except ValueError:
        return None


@check(REFS)
def no_replace_refs(ctx: Context) -> Iterable[Finding]:
    for ref in ctx.archive.git.run("for-each-ref", "--format=%(refname)", "refs/replace/").splitlines():
        yield Finding(REFS, ref, "存在替换对象（refs/replace）：git 读到的内容会被它改变。请核实后用 git replace -d 删除。")


# ---------------------------------------------------------------- verify --against


def compare(archive, url: str, branch: str = "main") -> list[Finding]:
    """The finalisation tags and ``branch``'s history here against the copy at ``url``."""
    git = archive.git
    theirs: dict[str, str] = {}
    for line in git.run("ls-remote", url, timeout=120).splitlines():
        sha, _, ref = line.partition("\t")
        theirs[ref] = sha
    ours = {f"refs/tags/{t.name}": t.object for t in finalisation_tags(git)}
    found = []
    for ref in sorted(set(ours) | {r for r in theirs if r.startswith(FINALISE_TAGS) and not r.endswith("^{}")}):
        name = ref.removeprefix("refs/tags/")
        mine, other = ours.get(ref), theirs.get(ref)
        if other is None:
            found.append(Finding(AGAINST, name, f"对方（{url}）没有这个定稿标签（被删除？）。"))
        elif mine is None:
            found.append(Finding(AGAINST, name, f"本地没有这个定稿标签，对方（{url}）有（{other[:10]}）。"))
        elif mine != other:
            found.append(Finding(AGAINST, name, f"两份的定稿标签不同（本地 {mine[:10]}，对方 {other[:10]}）：被删除后重新打过。"))
    for ref in sorted(r for r in theirs if r.startswith(("refs/replace/", "refs/notes/"))):
        found.append(Finding(AGAINST, ref, f"对方（{url}）有 {ref}：替换对象或注释不属于档案，可能被用来伪造内容。"))
    other = theirs.get(f"refs/heads/{branch}")
    mine = git.run("rev-parse", "--verify", "-q", f"refs/heads/{branch}")
    if other is None:
        found.append(Finding(AGAINST, branch, f"对方（{url}）没有 {branch} 分支。"))
        return found
    if other == mine:
        return found
    git.run("fetch", "-q", "--no-tags", url, f"refs/heads/{branch}", timeout=600)
    if _ancestor(git, mine, other) or _ancestor(git, other, mine):
        return found  # one copy is behind the other: nothing rewritten
    base = git.run("merge-base", mine, other)
    here = git.run("rev-list", f"{base}..{mine}").split()
    there = git.run("rev-list", f"{base}..{other}").split()
    found.append(Finding(AGAINST, branch, f"{branch} 的历史不一致：自 {base[:10]} 起，本地有 {len(here)} 个提交不在对方"
                         f"（最早 {here[-1][:10]}），对方有 {len(there)} 个提交不在本地（最早 {there[-1][:10]}）："
                         f"某一方的历史被改写过。"))
    return found


def _ancestor(git, a: str, b: str) -> bool:
    try:
        git.run("merge-base", "--is-ancestor", a, b)
        return True
    except StoreError:
        return False


__all__ = ["compare", "finalisation_tags", "read_blobs"]
