"""Profile the slow scenarios in one process, on the database `make bench` left behind.

    make bench                                  # once: builds bench/results/bench.sqlite3
    .venv/bin/pip install pyinstrument          # into the venv only; not a project requirement
    .venv/bin/python bench/profiling.py                         # the default slow scenarios
    .venv/bin/python bench/profiling.py catalog add-catalog --runs 200

Each scenario of bench/explain.py is run `--runs` times under pyinstrument (or cProfile when
pyinstrument is not installed); the call tree goes to bench/results/profile/<scenario>.txt
(and .html with pyinstrument) and the top of it is printed. Runs with the same production
settings as the bench server (DEBUG off, cached templates), against the SQLite bench database
or, with DATABASE_URL set to a PostgreSQL server, its `<name>_bench` database.
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import secrets
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as bench/profiling.py: import the bench package from the project root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import HOST, RESULTS
from bench.database import postgres_bench_url

SLOWEST = ["catalog", "catalog-deep", "catalog-fragment", "add-catalog", "checkout-form", "place-order"]


def bench_environment() -> None:
    """The environment bench/run.py gives the server, pointed at the database it left behind."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        url = postgres_bench_url(url)
    else:
        if not (RESULTS / "bench.sqlite3").exists():
            sys.exit("No bench database yet: run `make bench` (or bench/run.py) first.")
        url = f"sqlite:///{RESULTS / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_MEDIA_ROOT": str(RESULTS / "media"),
            "BENCH_STATIC_ROOT": str(RESULTS / "static"),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=SLOWEST, help=f"default: {' '.join(SLOWEST)}")
    parser.add_argument("--runs", type=int, default=100, help="calls per scenario (default 100)")
    parser.add_argument("--cprofile", action="store_true", help="use cProfile even if pyinstrument is installed")
    args = parser.parse_args()

    bench_environment()
    from bench.explain import in_process_scenarios, measure

    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None  # noqa: N806
    out = RESULTS / "profile"
    out.mkdir(parents=True, exist_ok=True)
    scenarios = {scenario.name: scenario for scenario in in_process_scenarios()}
    for name in args.scenarios:
        scenario = scenarios[name]
        measure(scenario, 3)  # warm: templates compiled, connections open
        with contextlib.redirect_stdout(io.StringIO()):  # order confirmations print to the console
            if Profiler is not None and not args.cprofile:
                profiler = Profiler(interval=0.0005)
                for _ in range(args.runs):
                    if scenario.prepare:
                        scenario.prepare()
                    with profiler:
                        scenario.send()
                tree = profiler.output_text(unicode=True, show_all=False)
                flat_self = profiler.output_text(flat=True, flat_time="self", time="percent_of_total")
                flat_total = profiler.output_text(flat=True, flat_time="total", time="percent_of_total")
                text = "\n".join(
                    [
                        "Self time (where the CPU is), top 40:",
                        *flat_self.splitlines()[:48],
                        "",
                        "Total time (including callees), top 80:",
                        *flat_total.splitlines()[:88],
                        "",
                        tree,
                    ]
                )
                (out / f"{name}.html").write_text(profiler.output_html())
            else:
                profile = cProfile.Profile()
                for _ in range(args.runs):
                    if scenario.prepare:
                        scenario.prepare()
                    profile.enable()
                    scenario.send()
                    profile.disable()
                buffer = io.StringIO()
                pstats.Stats(profile, stream=buffer).sort_stats("cumulative").print_stats(40)
                text = buffer.getvalue()
        (out / f"{name}.txt").write_text(text)
        print(f"===== {name}: {args.runs} runs -> {out / name}.txt")
        print("\n".join(text.splitlines()[:60]))


if __name__ == "__main__":
    main()
