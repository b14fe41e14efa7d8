"""The layers hold by contract, not convention: import-linter's contracts in pyproject.toml,
and the headless core imported in a fresh interpreter without Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint(contract: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--contract", contract],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


PENDING: set[str] = set()  # contracts still being met (none)


@pytest.mark.parametrize("contract", [
    pytest.param(c, marks=pytest.mark.xfail(reason="screens still moving onto the service")) if c in PENDING else c
    for c in ["schema-pure", "store-headless", "screens-through-the-service", "no-cycles", "cli-through-the-service"]])
def test_import_contract_is_kept(contract: str):
    result = lint(contract)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize("module", ["schema.grading", "schema.freeze", "store.service", "store.check", "store.verify",
                                    "store.roster", "store.stats_export", "tui.cli_export"])
def test_the_core_imports_without_textual(module: str):
    code = f"import sys, {module}; bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'); print(bad); sys.exit(bool(bad))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_imports_neither_git_nor_files():
    code = ("import sys, schema.grading, schema.freeze, schema.stats, schema.scope, schema.clock; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('git', 'openpyxl', 'docx', 'store', 'tui')); "
            "print(bad); sys.exit(bool(bad))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
