"""Lighthouse on a page of the running server: the four category scores, the metrics, lost points."""

import contextlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCH, HOST, RESULTS, apt_install, log, run

CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def find_lighthouse() -> str | None:
    """Lighthouse from bench/package-lock.json, installed into bench/results/node (git-ignored)."""
    npm = shutil.which("npm")
    if npm is None:
        log("npm not found: skipping Lighthouse (install Node.js 18.20 or newer)")
        return None
    if not Path("/usr/bin/chromium").exists() and not os.environ.get("CHROME_PATH"):
        apt_install("chromium")
    target = RESULTS / "node"
    binary = target / "node_modules" / ".bin" / "lighthouse"
    lock = (BENCH / "package-lock.json").read_text()
    installed = target / "package-lock.json"
    if not binary.exists() or not installed.exists() or installed.read_text() != lock:
        log("installing Lighthouse (npm ci into bench/results/node)")
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(BENCH / "package.json", target / "package.json")
        shutil.copy(BENCH / "package-lock.json", target / "package-lock.json")
        run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target, stdout=subprocess.DEVNULL)
    return str(binary)


@dataclass
class LighthouseResult:
    page: str
    url: str
    scores: dict[str, int | None]
    metrics: dict[str, str]
    lost: list[str]
    hints: list[str]
    version: str


def lighthouse(binary: str, port: int, page: str, path: str, cookie: str = "") -> LighthouseResult:
    url = f"http://{HOST}:{port}{path}"
    out = RESULTS / "lighthouse" / f"{page.split()[0]}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    logfile = out.with_suffix(".log")
    for attempt in (1, 2):  # a browser that fails to start is retried once
        out.unlink(missing_ok=True)
        with logfile.open("w") as output, contextlib.suppress(subprocess.SubprocessError):
            run(command, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=240)
        if out.exists():
            break
        log(f"Lighthouse attempt {attempt} on {path} failed; see {logfile}")
    else:
        tail = " / ".join(logfile.read_text().strip().splitlines()[-3:])
        failed = dict.fromkeys(LIGHTHOUSE_CATEGORIES)
        return LighthouseResult(page, path, failed, {}, [f"Lighthouse failed: {tail}"], [], "?")
    report = json.loads(out.read_text())
    scores = {
        key: None if report["categories"][key]["score"] is None else round(report["categories"][key]["score"] * 100)
        for key in LIGHTHOUSE_CATEGORIES
    }
    audits = report["audits"]
    metrics = {
        name: audits[key]["displayValue"]
        for name, key in (
            ("FCP", "first-contentful-paint"),
            ("LCP", "largest-contentful-paint"),
            ("TBT", "total-blocking-time"),
            ("CLS", "cumulative-layout-shift"),
            ("SI", "speed-index"),
        )
        if key in audits
    }
    lost, hints = [], []
    for key in LIGHTHOUSE_CATEGORIES:
        for ref in report["categories"][key]["auditRefs"]:
            audit = audits[ref["id"]]
            if (
                audit["score"] is None
                or audit["score"] >= 1
                or audit["scoreDisplayMode"] in ("manual", "notApplicable")
            ):
                continue
            shown = f"{key}: {audit['title']}" + (f" ({audit['displayValue']})" if audit.get("displayValue") else "")
            # Weighted audits cost points; the others are Lighthouse's unscored advice (opportunities).
            (lost if ref["weight"] > 0 else hints).append(f"{shown}, score {audit['score']:.2f}")
    return LighthouseResult(page, path, scores, metrics, lost, hints, report["lighthouseVersion"])
