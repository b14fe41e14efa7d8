"""Demo: two organisations draft their work report from the records and edit it; one of
them uploads the stamped scan (a small generated PDF) and so has submitted."""

from __future__ import annotations

import random
import tempfile
from datetime import date
from pathlib import Path

from store.archive import Archive
from store.demo import timeline
from store.demo.names import person
from store.sendup import attach_scan, draft
from store.snapshot import load
from store.work_report import save

TODAY = date(2021, 1, 25)

EDITS = {
    "chem": "学院党委将把整改落实情况纳入2021年度党支部工作考核，三月底前开展一次整改“回头看”。",
    "math": "下一步，学院党委将结合“双带头人”培育工程，持续加强党支部书记队伍建设。",
}


def build(archive: Archive) -> None:
    rng = random.Random(7)
    timeline.at(timeline.on(TODAY.year, TODAY.month, TODAY.day, 9))
    for org_id, sentence in EDITS.items():
        staff = Archive(archive.root, f"{person(rng)}")  # the organisation's own 党务秘书 writes its report
        snap = load(staff)
        if org_id not in snap.orgs:
            continue
        saved = save(staff, snap, org_id, draft(snap, org_id), None, "起草")
        edited = saved.text.rstrip() + "\n\n" + sentence + "\n"
        save(staff, load(staff), org_id, edited, saved.version, "修改")
    staff = Archive(archive.root, person(rng))
    snap = load(staff)
    if "chem" in snap.orgs:
        with tempfile.TemporaryDirectory() as folder:
            scan = Path(folder) / "化学与材料学院党委-附件2及工作情况报告-盖章扫描件.pdf"
            scan.write_bytes(scan_pdf("Qinglan University - stamped scan (demo)"))
            attach_scan(staff, snap, "chem", scan, TODAY)


def scan_pdf(line: str) -> bytes:
    """A one-page PDF with one line of text: a stand-in for a real scanner's output."""
    content = f"BT /F1 14 Tf 72 760 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
