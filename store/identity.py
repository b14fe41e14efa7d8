"""Who is operating: --operator, else git's configured identity, else user@host."""

from __future__ import annotations

import getpass
import socket
import subprocess

from store.gitrepo import Identity


def resolve_operator(name: str | None = None) -> Identity:
    host = socket.gethostname() or "localhost"
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    email = _git_config("user.email") or f"{user}@{host}"
    if name:
        return Identity(name, email)
    return Identity(_git_config("user.name") or f"{user}@{host}", email)


def _git_config(key: str) -> str:
    try:
        out = subprocess.run(
            ["git", "config", "--global", "--get", key], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
