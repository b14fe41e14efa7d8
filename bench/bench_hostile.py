"""A zip-bomb workbook: how long the zip-directory check takes to refuse it, against the peak
memory openpyxl reaches reading the same file unchecked (in a child process, so that it can be
measured and stopped).

    .venv/bin/python bench/bench_hostile.py [UNPACKED_MB]   (default 300; the issue's 3 MB file unpacks to ~3,000)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402

from store.errors import StoreError  # noqa: E402
from store.roster import read_roster  # noqa: E402

CHILD = """
import resource, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
for ws in book.worksheets:
    for _ in ws.iter_rows(values_only=True):
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def bomb(path: Path, unpacked_mb: int) -> Path:
    """A workbook whose shared strings (one repeated string) unpack to ``unpacked_mb`` MB."""
    book = openpyxl.Workbook()
    book.active.append(["党支部名称", "支部编码"])
    book.active.append(["a", "b"])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    item = b"<si><t>a</t></si>"
    count = unpacked_mb * 2**20 // len(item)
    with zipfile.ZipFile(plain) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "[Content_Types].xml" and b"sharedStrings" not in data:  # openpyxl reads what this lists
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if info.filename != "xl/sharedStrings.xml":
                out.writestr(info.filename, data)
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            chunk = item * 65536
            for _ in range(count // 65536):
                f.write(chunk)
            f.write(b"</sst>")
    return path


def main() -> None:
    unpacked = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        path = bomb(Path(tmp) / "bomb.xlsx", unpacked)
        print(f"bomb: {path.stat().st_size / 2**20:.2f} MB on disk, {unpacked} MB unpacked")
        start = time.perf_counter()
        try:
            read_roster(path)
            print("NOT refused")
        except StoreError as e:
            print(f"refused in {(time.perf_counter() - start) * 1000:.1f} ms: {e}")
        start = time.perf_counter()
        child = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=300)
        took = time.perf_counter() - start
        print(f"openpyxl unchecked: peak RSS {child.stdout.strip() or '?'} MB in {took:.1f} s "
              f"(exit {child.returncode}{': ' + child.stderr.strip().splitlines()[-1] if child.returncode else ''})")


if __name__ == "__main__":
    main()
