"""CPU accounting: the server's CPU time, the database server's, and everyone else's."""

import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import HOST

# The server's CPU time per request does not depend on how busy the machine is; the share of CPU
# that went to other processes during a scenario says how far its req/s and latency can be trusted.

TICK = os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    pids, index = [root], 0
    while index < len(pids):
        for task in Path(f"/proc/{pids[index]}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in task.read_text().split()]
        index += 1
    return pids


def process_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def machine_busy() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICK


def database_server(database_url: str) -> int | None:
    """The PostgreSQL server the bench uses, when it runs on this machine (found by its port)."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres") or parts.hostname not in (HOST, "localhost", "::1"):
        return None
    port = str(parts.port or 5432)
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().split(b"\0")
            if not args or not args[0].endswith(b"postgres"):
                continue
            given = next((args[i + 1] for i, arg in enumerate(args[:-1]) if arg == b"-p"), b"5432")
            if given.decode() == port:
                return int(cmdline.parent.name)
    return None


@dataclass
class CpuSample:
    server: float
    database: float
    children: float
    busy: float
    wall: float

    @classmethod
    def now(cls, server_pid: int, database_pid: int | None) -> "CpuSample":
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(
            process_cpu(process_tree(server_pid)),
            process_cpu(process_tree(database_pid)) if database_pid else 0.0,
            usage.ru_utime + usage.ru_stime,
            machine_busy(),
            time.monotonic(),
        )
