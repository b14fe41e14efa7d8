"""`shuping verify` on the province archive (bench_scale's: 300 organisations, 30,000 branches,
50,000 commits, ~400,000 git objects), next to git's own checks timed in the same run.

    .venv/bin/python bench/bench_verify.py [--quick]

Target (issue 14): verify ≤ 5 s. Baselines: `git fsck --connectivity-only` (what verify runs
in the background by default) and `git fsck --full` (what `verify --full` runs, and what
verify ran before). The records are read as the app reads them: through the tree-id cache,
filled by an earlier load.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHUPING_TODAY", "2021-01-20")

from bench.bench_scale import pad, province  # noqa: E402

TARGET_MS = 5000


def cpu() -> float:
    """CPU seconds used so far by the children waited for (processes and their own children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {}


def verify_ms(path: Path, full: bool = False) -> float:
    """A fresh process, as `shuping verify` runs."""
    before = cpu()
    code = ("import sys, time; from store.archive import Archive; from store.verify import verify_archive; "
            "a = Archive.open(sys.argv[1], '基准'); t = time.perf_counter(); r = verify_archive(a, full=sys.argv[2] == '1'); "
            "print((time.perf_counter() - t) * 1000); sys.exit(1 if r.findings else 0)")
    out = subprocess.run([sys.executable, "-c", code, str(path), "1" if full else "0"], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    if out.returncode:
        raise SystemExit(out.stdout + out.stderr)
    CPU.setdefault("verify --full" if full else "verify", []).append(cpu() - before)
    return float(out.stdout.split()[-1])


def git_ms(path: Path, *args: str) -> float:
    t, before = time.perf_counter(), cpu()
    subprocess.run(["git", *args], cwd=path, check=True, capture_output=True, timeout=600)
    CPU.setdefault(f"git {' '.join(a for a in args if a != '--no-progress' and a != '--no-dangling')}", []).append(cpu() - before)
    return (time.perf_counter() - t) * 1000


def main(quick: bool) -> None:
    big = province()
    from store.archive import Archive
    from store.snapshot import load

    load(Archive.open(big, "基准"))  # the tree-id cache, as after the app or any command has read the archive
    rounds = 1 if quick else 3
    runs = []
    for _ in range(rounds):  # interleaved, so the machine's load weighs on all alike
        runs.append((verify_ms(big), git_ms(big, "fsck", "--no-progress", "--no-dangling", "--connectivity-only"),
                     git_ms(big, "fsck", "--no-progress", "--no-dangling", "--full")))
    ours, conn, full = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"省级档案：{big}（{rounds} 次的中位数）\n")
    for name, value, base_name, base in (("shuping verify", ours, "git fsck --connectivity-only", conn),
                                         ("shuping verify", ours, "git fsck --full", full)):
        print(f"{pad(name, 26)} {value:8.0f} ms   {pad(base_name, 30)} {base:8.0f} ms   ×{value / base:5.2f}   "
              f"目标 ≤ {TARGET_MS} ms {'达到' if value <= TARGET_MS else '未达到'}")
    if not quick:
        full_ours = verify_ms(big, full=True)
        print(f"{pad('shuping verify --full', 26)} {full_ours:8.0f} ms   {pad('git fsck --full', 30)} {full:8.0f} ms   "
              f"×{full_ours / full:5.2f}   （参考）")
    # wall time depends on the machine's load; CPU time (the process and its git children) much less
    print("\nCPU 时间（进程及其子进程，中位数）：" + "；".join(f"{k} {statistics.median(v):.1f} s" for k, v in CPU.items()))
    print(f"（{os.cpu_count()} 核；负载 {os.getloadavg()[0]:.1f}）")


if __name__ == "__main__":
    main("--quick" in sys.argv)
