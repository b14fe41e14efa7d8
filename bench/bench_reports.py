"""Report import/export and the review queue on a large organisation.

    .venv/bin/python bench/bench_reports.py

Each figure is printed next to a baseline measured in the same run (python-docx doing the
bare minimum of the same work) and the ratio; targets are what a user would notice.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docx  # noqa: E402

from schema.kinds import BranchKind  # noqa: E402
from schema.records import Branch, BranchFacts, Review  # noqa: E402
from store.demo.reports import report_text  # noqa: E402
from store.reports import ExportItem, export_docx, read_import  # noqa: E402

TITLES = ["个人履职", "支部建设情况和成效", "思想政治工作", "存在问题及下一步思路举措"]
REPORTS = 100  # one large secondary organisation


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = random.Random(1)
    items = []
    for n in range(REPORTS):
        branch = Branch(id=f"b{n:04d}", org="o", name=f"第{n + 1}党支部", kind=BranchKind.STAFF,
                        founded="2010-01-01", secretary="张三")
        review = Review(branch=branch.id, org="o", year=2020, facts=BranchFacts(general_meetings=6, dues_months=12))
        items.append(ExportItem(branch, "测试学院党委", 2020, report_text(review, branch, TITLES, rng)))
    paragraphs = sum(item.text.count("\n\n") + 1 for item in items)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "all.docx"

        def baseline_export() -> None:
            document = docx.Document()
            for item in items:
                for para in item.text.split("\n\n"):
                    document.add_paragraph(para)
            document.save(str(Path(tmp) / "plain.docx"))

        base = best_of(3, baseline_export)
        ours = best_of(3, lambda: export_docx(items, TITLES, out))
        print(f"export {REPORTS} reports ({paragraphs} paragraphs) as .docx: {ours * 1000:.0f} ms; "
              f"baseline (bare python-docx) {base * 1000:.0f} ms; ratio {ours / base:.2f}; target < 3000 ms")

        base = best_of(3, lambda: [p.text for p in docx.Document(str(out)).paragraphs])
        ours = best_of(3, lambda: read_import(out, TITLES))
        print(f"import that .docx ({REPORTS} reports in one file): {ours * 1000:.0f} ms; "
              f"baseline (read paragraphs) {base * 1000:.0f} ms; ratio {ours / base:.2f}; target < 2000 ms")


if __name__ == "__main__":
    main()
