"""A province-size archive for the scale benchmark: 300 organisations, 30,000 branches
(each with its 2020 review), an access.toml naming an operator per organisation, and a
long history of one-record commits.

Written with ``git fast-import`` and text templates (the layout ``store.tomlio.render``
writes), so 60,000 records and 50,000 commits take seconds instead of the hours that
one ``Archive.commit`` each would. ``shuping check`` finds nothing to complain about.

    .venv/bin/python bench/generate_province.py PATH [--orgs 300] [--branches 30000] [--commits 50000]
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schema.kinds import BranchKind  # noqa: E402
from schema.recompute import score_from_counts  # noqa: E402
from schema.records import ScoringSettings  # noqa: E402
from store import layout  # noqa: E402
from store.archive import Archive  # noqa: E402
from store.demo.names import person  # noqa: E402

YEAR = 2020
KINDS = [k.value for k in BranchKind]
SCORING = ScoringSettings()  # the new archive's campaign scores by the default vote values


def org_text(org_id: str, n: int, direct: bool) -> str:
    kind = "直属党支部" if direct else "二级党委"
    return f'schema_version = 1\nid = "{org_id}"\nname = "第{n}学院党委"\nkind = "{kind}"\norder = {n}\n'


def branch_text(branch_id: str, org_id: str, org_n: int, i: int, rng: random.Random) -> str:
    founded = f"{rng.randint(2000, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return (f'schema_version = 1\nid = "{branch_id}"\norg = "{org_id}"\nname = "第{org_n}学院第{i}党支部"\n'
            f'kind = "{rng.choice(KINDS)}"\nfounded = {founded}\nsecretary = "{person(rng)}"\n'
            f'members = {rng.randint(5, 60)}\ncode = "44{branch_id[1:].rjust(8, "0")}"\n')


def review_text(branch_id: str, org_id: str, meetings: int, rng: random.Random | None = None, valid: int = 0) -> str:
    """``valid``: the valid ballots of the organisation's meeting, where it was held (0: none yet)."""
    tally = ""
    if rng is not None and valid:
        cuts = sorted(rng.randint(0, valid) for _ in range(4))
        counts = dict(zip(["好", "较好", "一般", "差", "弃权"], (b - a for a, b in zip([0, *cuts], [*cuts, valid]))))
        score = score_from_counts(counts, valid, SCORING)
        tally = (f"\n[tally]\nvalid = {valid}\nscore = {score}\n\n[tally.counts]\n"
                 + "".join(f'"{g}" = {c}\n' for g, c in counts.items()))
    return (f'schema_version = 1\nbranch = "{branch_id}"\norg = "{org_id}"\nyear = {YEAR}\ntasks = []\ncarried = []\n\n'
            f'[facts]\ngeneral_meetings = {meetings}\ncommendations = ""\n\n[report]\nstatus = "草稿"\ncomments = []\n'
            f'\n[meeting]\nmode = "现场"\nmode_reason = ""\ncomment = ""\n{tally}')


def meeting_text(org_id: str, order: list[str], valid: int) -> str:
    """A meeting held and counted on paper, its results published."""
    ids = ", ".join(f'"{b}"' for b in order)
    return (f'schema_version = 1\norg = "{org_id}"\nyear = {YEAR}\nheld = 2021-01-15\norder = [{ids}]\n'
            f'published = true\nstage = "公布"\ndouble_entry = false\n\n'
            f'[[attendance]]\ngroup = "参会人员"\ndue = {valid + 5}\npresent = {valid}\n\n'
            f"[ballots]\nissued = {valid}\ncollected = {valid}\nvalid = {valid}\n")


def generate(path: Path | str, orgs: int = 300, branches: int = 30000, commits: int = 50000, seed: int = 8) -> Archive:
    rng = random.Random(seed)
    archive = Archive.init(path, "基准省属高校", "组织部 基准")
    root = archive.root
    old_head = archive.head()
    files: dict[str, str] = {}
    operators = ['"组织部 基准" = "all"']
    per_org = branches // orgs
    reviews: list[tuple[str, str]] = []
    n = 0
    for o in range(orgs):
        org_id = f"o{o:03d}"
        files[layout.org_path(org_id)] = org_text(org_id, o + 1, direct=o == orgs - 1)
        operators.append(f'"第{o + 1}学院 组织员" = ["{org_id}"]')
        count = per_org if o < orgs - 1 else branches - n
        valid = rng.randint(20, 60) if o < orgs - 1 and rng.random() < 0.5 else 0  # half the meetings held
        order = []
        for i in range(count):
            n += 1
            branch_id = f"b{n:05d}"
            files[layout.branch_path(org_id, branch_id)] = branch_text(branch_id, org_id, o + 1, i + 1, rng)
            files[layout.review_path(org_id, YEAR, branch_id)] = review_text(branch_id, org_id, 0, rng, valid)
            reviews.append((branch_id, org_id))
            order.append(branch_id)
        if valid:
            files[layout.meeting_path(org_id, YEAR)] = meeting_text(org_id, order, valid)
    files[layout.ACCESS] = "schema_version = 1\n\n[operators]\n" + "\n".join(operators) + "\n"

    start = int(time.time()) - commits * 30
    out = bytearray()
    ident = f"组织部 基准 <bench@example.org> {start} +0800".encode()
    message = f"导入名册：{orgs} 个二级党组织，{branches} 个党支部".encode()
    out += b"commit refs/heads/main\nauthor %s\ncommitter %s\ndata %d\n%s\nfrom %s\n" % (ident, ident, len(message), message, old_head.encode())
    for rel, text in files.items():
        data = text.encode()
        out += b"M 100644 inline %s\ndata %d\n%s\n" % (rel.encode(), len(data), data)
    for c in range(commits):
        branch_id, org_id = reviews[rng.randrange(len(reviews))]
        rel = layout.review_path(org_id, YEAR, branch_id)
        meetings = rng.randint(1, 30)
        data = _set_meetings(files[rel], meetings)
        files[rel] = data
        who = f"第{int(org_id[1:]) + 1}学院 组织员"
        msg = f"修改述职评议：{branch_id}（支部党员大会 → {meetings} 次）\n\nOperator: {who}\nRecord: {rel}\n".encode()
        ident = f"{who} <bench@example.org> {start + (c + 1) * 30} +0800".encode()
        body = data.encode()
        out += b"commit refs/heads/main\nauthor %s\ncommitter %s\ndata %d\n%s\n" % (ident, ident, len(msg), msg)
        out += b"M 100644 inline %s\ndata %d\n%s\n" % (rel.encode(), len(body), body)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(out), check=True)
    subprocess.run(["git", "read-tree", "-u", "-m", old_head, "HEAD"], cwd=root, check=True)
    archive.maintain()
    return Archive.open(root, "组织部 基准")


def _set_meetings(text: str, meetings: int) -> str:
    head, rest = text.split("general_meetings = ", 1)
    return f"{head}general_meetings = {meetings}{rest[rest.index(chr(10)):]}"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--branches", type=int, default=30000)
    parser.add_argument("--commits", type=int, default=50000)
    args = parser.parse_args()
    t = time.perf_counter()
    generate(args.path, args.orgs, args.branches, args.commits)
    print(f"generated {args.path} in {time.perf_counter() - t:.1f} s")
