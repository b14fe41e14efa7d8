"""Files kept in the archive (stamped scans, rectification evidence), named by their SHA-256."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from schema.records import Attachment
from store import layout
from store.archive import Archive, Change
from store.errors import StoreError, os_reason

MAX_BYTES = 50 * 1024 * 1024


def prepare(archive: Archive, org: str, year: int, source: Path | str, today: date | None = None) -> tuple[Attachment, Change]:
    """Read ``source`` and return its Attachment and the Change that stores it.

    The caller commits the Change together with the record that references the attachment.
    """
    source = Path(source)
    try:
        data = source.read_bytes()
    except FileNotFoundError as e:
        raise StoreError(f"找不到文件：{source}") from e
    except OSError as e:
        raise StoreError(f"无法读取 {source}：{os_reason(e)}") from e
    if len(data) > MAX_BYTES:
        raise StoreError(f"文件过大（{len(data) // 1024 // 1024} MB），附件不超过 {MAX_BYTES // 1024 // 1024} MB。")
    digest = hashlib.sha256(data).hexdigest()
    rel = layout.attachment_path(org, year, digest, source.suffix)
    _, existing = archive.read_bytes(rel)
    attachment = Attachment(name=source.name, path=rel, sha256=digest, added=today)
    return attachment, Change(rel, data, existing)


def verify(archive: Archive, attachment: Attachment) -> bool:
    data, _ = archive.read_bytes(attachment.path)
    return data is not None and hashlib.sha256(data).hexdigest() == attachment.sha256
