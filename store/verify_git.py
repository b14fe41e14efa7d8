"""verify's check of git's own objects, started in the background (``ObjectCheck.start``)
so that it runs on another core while the records are checked.

By default (a few seconds at province scale):

- ``git fsck --connectivity-only``: every object a branch, tag or commit reaches is there,
  and every commit, tree and tag on the way parses;
- every pack file's SHA-1 trailer against its bytes, and its index's: a pack changed or cut
  by a single byte since git wrote it (disk fault, an edit by hand) is caught; git checked
  each object's id against its content when the pack was written or received
  (``index-pack``), so an intact pack holds the objects its index names;
- every loose object (those written since the last repack) inflated and hashed against
  its name.

``full``: ``git fsck --full`` instead, which inflates and hashes every object of every pack
again (about 15 s for a province's 400,000 objects): for a pack someone may have rewritten
with recomputed checksums, or after a disk fault the trailer cannot see.
"""

from __future__ import annotations

import hashlib
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from store.errors import StoreError

FSCK_TIMEOUT = 600
_CHUNK = 1 << 20
_HASH = 20  # SHA-1's length: the trailers of a pack and of its index


class ObjectCheck:
    def __init__(self, git, full: bool):
        self.git, self.full = git, full
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="verify-git")
        self._fsck: Future = self._pool.submit(self._run_fsck)
        self._files: Future | None = None if full else self._pool.submit(self._check_files)
        self._pool.shutdown(wait=False)

    @classmethod
    def start(cls, git, full: bool = False) -> ObjectCheck:
        return cls(git, full)

    def findings(self) -> list[tuple[str, str]]:
        """(where, what) for every problem; waits for the background work."""
        found = [(".git", f"git fsck：{line}") for line in self._fsck.result()]
        if self._files is not None:
            found += self._files.result()
        return found

    def _run_fsck(self) -> list[str]:
        mode = "--full" if self.full else "--connectivity-only"
        try:
            out = self.git.run("fsck", "--no-progress", "--no-dangling", mode, timeout=FSCK_TIMEOUT)
            return [line for line in out.splitlines() if line.strip()]
        except StoreError as e:
            return str(e).splitlines() or ["git fsck 失败"]

    def _check_files(self) -> list[tuple[str, str]]:
        objects = Path(self.git.git_dir) / "objects"
        found = []
        for pack in sorted((objects / "pack").glob("*.pack")):
            found += _pack_problems(pack, objects.parent)
        for folder in sorted(objects.glob("[0-9a-f][0-9a-f]")):
            for obj in sorted(folder.iterdir()):
                if len(obj.name) == 38 and not obj.name.startswith("tmp"):
                    why = _loose_problem(obj, folder.name + obj.name)
                    if why:
                        found.append((obj.relative_to(objects.parent.parent).as_posix(), why))
        return found


def _pack_problems(pack: Path, git_dir: Path) -> list[tuple[str, str]]:
    where = pack.relative_to(git_dir.parent).as_posix()
    index = pack.with_suffix(".idx")
    try:
        pack_sum, pack_trailer = _sha1_and_trailer(pack)
        index_sum, index_trailer = _sha1_and_trailer(index)
        named_pack = index.read_bytes()[-2 * _HASH:-_HASH]
    except OSError as e:
        return [(where, f"无法读取包文件或其索引：{e.strerror or e}")]
    found = []
    if pack_sum != pack_trailer:
        found.append((where, "包文件的校验和与内容不符：写入后被改动或损坏。运行 git fsck --full（shuping verify --full）查看受损的对象。"))
    if index_sum != index_trailer or named_pack != pack_trailer:
        found.append((index.relative_to(git_dir.parent).as_posix(),
                      "包索引的校验和不符或不属于同名的包文件：写入后被改动或损坏。"))
    return found


def _sha1_and_trailer(path: Path) -> tuple[bytes, bytes]:
    """The SHA-1 of a file's bytes but its last 20, and those 20."""
    size = path.stat().st_size
    if size < _HASH:
        return b"", b"-"
    digest = hashlib.sha1()
    with path.open("rb") as f:
        left = size - _HASH
        while left:
            chunk = f.read(min(_CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
        return digest.digest(), f.read(_HASH)


def _loose_problem(path: Path, name: str) -> str:
    try:
        raw = zlib.decompress(path.read_bytes())
    except OSError as e:
        return f"无法读取 git 对象 {name}：{e.strerror or e}"
    except zlib.error:
        return f"git 对象 {name} 已损坏（无法解压）。"
    if b"\0" not in raw[:32]:
        return f"git 对象 {name} 已损坏（没有对象头）。"
    if hashlib.sha1(raw).hexdigest() != name:
        return f"git 对象 {name} 的内容与其名称（哈希）不符：被改动或损坏。"
    return ""
