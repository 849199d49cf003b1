"""npm packages the tests use (axe-core, openid-client), installed from their lock files on
first use; one process at a time, since several test workers may start at once."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path


def npm_install(package_dir: Path, needed: Path) -> bool:
    """Run `npm ci` in `package_dir` unless `needed` (a file or folder it installs) is
    there; False when npm is missing. Blocks while another process installs."""
    if needed.exists():
        return True
    npm = shutil.which("npm")
    if npm is None:
        return False
    with (package_dir / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not needed.exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(package_dir)],
                check=True,
                capture_output=True,
                timeout=300,
            )
    return True
