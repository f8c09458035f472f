"""make bench: the production server under a fixed HTTP load, then Lighthouse.

    .venv/bin/python bench/run.py                    # SQLite, 10 s per scenario
    .ci/with-postgres .venv/bin/python bench/run.py  # the same on a throwaway PostgreSQL
    .venv/bin/python bench/run.py --duration 3 --only catalog cart --no-lighthouse

Builds a 10 000-product catalog in a database of its own (bench/results/bench.sqlite3, or a
`<name>_bench` database beside the one DATABASE_URL names), starts gunicorn with production
settings on a free loopback port, drives every scenario with wrk at a fixed concurrency and
prints requests/s, latency percentiles and response sizes, each scenario also as a ratio to a
trivial Django view on the same server. Then Lighthouse scores the catalog, a product and a
cart. The table is also written to bench/results/latest.md. See bench/README.md.

The steps live beside it: bench/database.py prepares the data, bench/server.py starts gunicorn,
bench/scenarios.py builds the requests, bench/wrk.py drives them, bench/lighthouse.py scores the
pages and bench/report.py writes the report.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as bench/run.py: import the bench package from the project root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import HOST, PYTHON, RESULTS, ROOT, log, run
from bench.cpu import database_server, machine_busy
from bench.database import bench_database_url, prepare_database
from bench.lighthouse import LighthouseResult, find_lighthouse, lighthouse
from bench.report import format_classes, report
from bench.scenarios import Shop, build_scenarios
from bench.server import bench_environment, start_server, stop_server
from bench.wrk import Result, find_wrk, run_scenario


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the production server (see bench/README.md).")
    parser.add_argument(
        "--duration",
        type=int,
        default=int(os.environ.get("BENCH_DURATION", 10)),
        help="seconds per scenario (default 10, or BENCH_DURATION)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds before each scenario (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: one per core)")
    parser.add_argument("--products", type=int, default=10_000, help="catalog size (default 10000)")
    parser.add_argument(
        "--order-carts", type=int, default=6000, help="carts prepared for the order scenario (default 6000)"
    )
    parser.add_argument("--only", nargs="*", default=[], help="scenario keys to run (the baseline always runs)")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse")
    parser.add_argument("--no-explain", action="store_true", help="skip the query plans (bench/explain.py)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    # One sync worker per core: the shop is CPU-bound (measured: 3 or 4 workers on 2 cores give the same
    # req/s and longer tails, above all for writes waiting on SQLite's lock; see bench/README.md).
    workers = args.workers or os.cpu_count() or 1
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "wrk").mkdir(exist_ok=True)
    idle_before, started_busy = time.monotonic(), machine_busy()
    time.sleep(1)
    busy = (machine_busy() - started_busy) / ((time.monotonic() - idle_before) * (os.cpu_count() or 1))
    if busy > 0.25:
        log(f"other processes use {busy:.0%} of the CPU: expect lower req/s (the report says how much they took)")
    wrk_binary = find_wrk()
    lighthouse_binary = None if args.no_lighthouse else find_lighthouse()

    database_url = bench_database_url()
    env = bench_environment(database_url)
    log(f"database {database_url}")
    facts = prepare_database(env, products=args.products, order_carts=args.order_carts)
    database_pid = database_server(database_url)
    server, port = start_server(env, workers)
    log(f"gunicorn bench.wsgi on http://{HOST}:{port} with {workers} workers")
    results: list[Result] = []
    lighthouse_results: list[LighthouseResult] = []
    try:
        shop = Shop(port, facts)
        scenarios = build_scenarios(shop)
        if args.only:
            scenarios = [s for s in scenarios if s.key == "baseline" or s.key in args.only]
        for scenario in scenarios:
            result = run_scenario(wrk_binary, server.pid, database_pid, port, scenario, args)
            results.append(result)
            log(
                f"{scenario.key:24} {result.rps:8,.0f} req/s  p50 {result.p50:6.1f}  p95 {result.p95:6.1f}  "
                f"p99 {result.p99:6.1f} ms  {result.cpu_ms:5.2f} CPU ms/req  "
                + (f"{result.database_cpu_ms:5.2f} DB  " if result.database_cpu_ms is not None else "")
                + f"{result.size:>7,} B  "
                f"{format_classes(result.classes)}"
                + (f"  (others took {result.other_cpu:.0%} CPU)" if result.other_cpu > 0.05 else "")
            )
        if lighthouse_binary:
            cart_client = shop.full_carts(1)[0][0]
            pages = [
                ("catalog", "/products/", ""),
                ("product", f"/products/{facts['product_slugs'][1]}/", ""),
                ("cart", "/cart/", cart_client.cookie_header()),
            ]
            for page, path, cookie in pages:
                log(f"Lighthouse: {page} {path}")
                lighthouse_results.append(lighthouse(lighthouse_binary, port, page, path, cookie))
    finally:
        stop_server(server)

    explain = []
    if not args.no_explain:
        log("query plans and per-request anatomy (bench/explain.py)")
        explain = run(
            [PYTHON, "-m", "bench.explain"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        ).stdout.splitlines()

    text = report(facts, workers, args, wrk_binary, results, lighthouse_results, explain)
    (RESULTS / "latest.md").write_text(text)
    print()
    print(text)
    log(f"done in {time.monotonic() - started:.0f} s; written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
