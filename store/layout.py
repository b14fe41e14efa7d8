"""Where each record lives inside an archive (paths are relative, with forward slashes).

    shuping.toml                              archive settings
    access.toml                               who may change which organisation's records
    campaigns/2020.toml                       one campaign's settings
    orgs/<org>/org.toml                       a secondary organisation
    orgs/<org>/branches/<branch>.toml         a branch (master record)
    orgs/<org>/<year>/reviews/<branch>.toml   the branch's review in that campaign
    orgs/<org>/<year>/reports/<branch>.md     the secretary's report text
    orgs/<org>/<year>/meeting.toml            the organisation's 述职评议会
    orgs/<org>/<year>/ballots/<pass>/<n>.toml one paper ballot as keyed in pass 1 or 2 (serial n)
    orgs/<org>/<year>/org-year.toml           the organisation's own record for that campaign
    orgs/<org>/<year>/work-report.md          its 工作情况报告 (Markdown, edited by staff)
    orgs/<org>/<year>/attachments/<hash>.pdf  stored files (scans, evidence), named by content hash

Everything an organisation owns sits under ``orgs/<org>/``, so access rules and
merges work per folder, and no folder holds thousands of files.
"""

from __future__ import annotations

import re

SETTINGS = "shuping.toml"
ACCESS = "access.toml"
LOCAL_DIR = ".shuping-local"  # machine-local state and caches, never committed


# what the archive consists of: recovery commits new files only here, never a stray file
# someone saved into the folder (an export, a scan before upload)
AREAS = (SETTINGS, ACCESS, ".gitignore", ".gitattributes", "campaigns", "orgs")


def in_archive(path: str) -> bool:
    return path in AREAS or path.split("/", 1)[0] in ("campaigns", "orgs")


def campaign_path(year: int) -> str:
    return f"campaigns/{year}.toml"


def org_path(org: str) -> str:
    return f"orgs/{org}/org.toml"


def branch_path(org: str, branch: str) -> str:
    return f"orgs/{org}/branches/{branch}.toml"


def org_year_dir(org: str, year: int) -> str:
    return f"orgs/{org}/{year}"


def review_path(org: str, year: int, branch: str) -> str:
    return f"orgs/{org}/{year}/reviews/{branch}.toml"


def report_path(org: str, year: int, branch: str) -> str:
    return f"orgs/{org}/{year}/reports/{branch}.md"


def meeting_path(org: str, year: int) -> str:
    return f"orgs/{org}/{year}/meeting.toml"


def ballot_dir(org: str, year: int, entry: int) -> str:
    return f"orgs/{org}/{year}/ballots/{entry}"


def ballot_path(org: str, year: int, entry: int, serial: int) -> str:
    return f"orgs/{org}/{year}/ballots/{entry}/{serial:04d}.toml"


def draft_path(org: str, year: int, entry: int) -> str:
    """The ballot being keyed, saved on every mark; machine-local, never committed."""
    return f"{LOCAL_DIR}/drafts/{org}-{year}-{entry}.toml"


def org_year_path(org: str, year: int) -> str:
    return f"orgs/{org}/{year}/org-year.toml"


def work_report_path(org: str, year: int) -> str:
    return f"orgs/{org}/{year}/work-report.md"


def attachment_path(org: str, year: int, sha256: str, suffix: str) -> str:
    return f"orgs/{org}/{year}/attachments/{sha256[:16]}{suffix.lower()}"


# git pathspecs for a record's whole history (``Archive.history``); ballots stay out: each
# keyed paper is a commit of its own and would bury everything else
def branch_pathspecs(branch: str) -> list[str]:
    """A branch's record, its reviews in every year and its reports, in whichever
    organisation they were kept."""
    return [f":(glob)orgs/*/branches/{branch}.toml", f":(glob)orgs/*/*/reviews/{branch}.toml",
            f":(glob)orgs/*/*/reports/{branch}.md"]


def org_pathspecs(org: str) -> list[str]:
    """Everything under the organisation's folder but its ballots."""
    return [f"orgs/{org}/", f":(glob,exclude)orgs/{org}/*/ballots/**"]


_KINDS = [
    (re.compile(r"^shuping\.toml$"), "settings"),
    (re.compile(r"^access\.toml$"), "access"),
    (re.compile(r"^campaigns/\d{4}\.toml$"), "campaign"),
    (re.compile(r"^orgs/[^/]+/org\.toml$"), "org"),
    (re.compile(r"^orgs/[^/]+/branches/[^/]+\.toml$"), "branch"),
    (re.compile(r"^orgs/[^/]+/\d{4}/reviews/[^/]+\.toml$"), "review"),
    (re.compile(r"^orgs/[^/]+/\d{4}/org-year\.toml$"), "org_year"),
    (re.compile(r"^orgs/[^/]+/\d{4}/meeting\.toml$"), "meeting"),
    (re.compile(r"^orgs/[^/]+/\d{4}/ballots/[12]/\d+\.toml$"), "ballot"),
]


def kind_of(path: str) -> str | None:
    """The record kind a path holds (a key of ``schema.records.RECORD_TYPES``), if any."""
    for pattern, kind in _KINDS:
        if pattern.match(path):
            return kind
    return None


def org_of(path: str) -> str | None:
    m = re.match(r"^orgs/([^/]+)/", path)
    return m.group(1) if m else None
