"""The Nu HTML Checker over every page and fragment the e2e journeys were sent (e2e/artifacts/markup/).

    .venv/bin/python e2e/check_markup.py        # after `make e2e`; `make test` runs both

A fragment is checked inside a minimal document of its own, as it will stand in one. Exits 1 and
lists each error with the request that got the markup, or exits 0 with how many were checked.
The checker is vnu-jar from npm (e2e/package.json), run with Java.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

E2E = Path(__file__).resolve().parent
MARKUP = E2E / "artifacts" / "markup"
VNU = E2E / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHELL = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fragment</title></head><body>{}</body></html>'
)


def documents(folder: Path) -> dict[Path, str]:
    """The files to check, fragments wrapped, each with the request it answered."""
    checked: dict[Path, str] = {}
    for path in sorted(MARKUP.glob("*.html")):
        source, _, body = path.read_text(encoding="utf-8").partition("\n")
        request = source.removeprefix("<!-- ").removesuffix(" -->")
        if not body.lstrip().lower().startswith("<!doctype"):
            body = SHELL.format(body)
        target = folder / path.name
        target.write_text(body, encoding="utf-8")
        checked[target] = request
    return checked


def main() -> int:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        print("check_markup: needs Java and vnu-jar (make e2e installs both)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        checked = documents(Path(folder))
        if not checked:
            print("check_markup: nothing to check: run the e2e journeys first", file=sys.stderr)
            return 2
        result = subprocess.run(
            [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, checked)],
            capture_output=True,
            text=True,
            check=False,
        )
        messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
        problems: dict[str, list[str]] = defaultdict(list)
        for message in messages:
            if message.get("type") != "error":
                continue
            request = checked.get(Path(message.get("url", "").removeprefix("file:")), "?")
            problems[f"{message['message']}  ({message.get('extract', '').strip()})"].append(request)
    if problems:
        print(f"check_markup: {sum(map(len, problems.values()))} errors in the markup the journeys saw:")
        for problem, requests in sorted(problems.items()):
            print(f"- {problem}\n    in {len(requests)}: {', '.join(sorted(set(requests))[:3])}")
        return 1
    print(f"check_markup: {len(checked)} pages and fragments, no errors (Nu HTML Checker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
