"""What every part of the bench shares: where things are, logging, and running programs."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
    """Every external program the bench starts goes through here (argument lists, never a shell)."""
    return subprocess.run(command, check=True, **kwargs)  # noqa: S603


def apt_install(package: str) -> None:
    apt = shutil.which("apt-get")
    if apt is None:
        sys.exit(f"{package} is missing and there is no apt-get: install {package} and run again.")
    prefix = [] if os.geteuid() == 0 else [shutil.which("sudo") or "sudo"]
    log(f"installing {package} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*prefix, apt, "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
    run([*prefix, apt, "install", "-y", "-qq", package], env=env, stdout=subprocess.DEVNULL)
