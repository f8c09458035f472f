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
"""

import argparse
import contextlib
import gzip
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
HOST = "127.0.0.1"

# The catalog filter the "filtered" scenarios use: a search word, a category and a sort order.
FILTERED = {"q": "steel", "category": "kitchen", "sort": "price"}
DEEP_PAGE = 300
CART_LINES = 10
SHOPPERS = 8  # sessions per cart scenario; requests rotate over them
# The order form of the place-order scenario (bench/explain.py sends the same).
ORDER_FORM = {
    "email": "bench@example.com",
    "shipping_name": "Bench Shopper",
    "shipping_address": "Teststrasse 1",
    "shipping_postcode": "10115",
    "shipping_city": "Berlin",
    "shipping_country": "DE",
    "shipping_method": "standard",
    "payment_method": "bank_transfer",
}

TARGET_P95_MS = 50
TARGET_FRAGMENT_RATIO = 3
TARGET_BASELINE_SHARE = 0.20
# Proposed in place of the two above (bench/README.md, "Targets"): CPU per request, which does not
# depend on the concurrency, and the fragment's size as it travels (gzip).
TARGET_CPU_MS = 12
TARGET_FRAGMENT_WIRE_BYTES = 3 * 1024

CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
    """Every external program the bench starts goes through here (argument lists, never a shell)."""
    return subprocess.run(command, check=True, **kwargs)  # noqa: S603


# --- Tools ------------------------------------------------------------------------------------


def apt_install(package: str) -> None:
    apt = shutil.which("apt-get")
    if apt is None:
        sys.exit(f"{package} is missing and there is no apt-get: install {package} and run again.")
    prefix = [] if os.geteuid() == 0 else [shutil.which("sudo") or "sudo"]
    log(f"installing {package} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*prefix, apt, "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
    run([*prefix, apt, "install", "-y", "-qq", package], env=env, stdout=subprocess.DEVNULL)


def find_wrk() -> str:
    if not shutil.which("wrk"):
        apt_install("wrk")
    return shutil.which("wrk") or sys.exit("wrk could not be installed.")


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


# --- Database and server ----------------------------------------------------------------------


def bench_database_url() -> str:
    """SQLite under bench/results by default; with a PostgreSQL DATABASE_URL, a fresh
    `<name>_bench` database on that server, so the developer's own database is never touched."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        if url and not url.startswith("sqlite:"):
            sys.exit(f"The bench runs on SQLite or PostgreSQL, not {url.split(':', 1)[0]}.")
        path = RESULTS / "bench.sqlite3"
        for leftover in RESULTS.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'storefront'}_bench"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Lighthouse loads the product images; the load scenarios never request them.
        "DJANGO_SERVE_MEDIA": "1",
        "DJANGO_MEDIA_ROOT": str(RESULTS / "media"),
        "BENCH_STATIC_ROOT": str(RESULTS / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(Path(PYTHON).with_name("gunicorn")),
        "bench.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--forwarded-allow-ips",
        HOST,
    ]
    logfile = (RESULTS / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start; see {RESULTS / 'gunicorn.log'}")
        try:
            if Client(port).get("/bench/baseline/").status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- CPU accounting -------------------------------------------------------------------------
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


# --- A small HTTP client that keeps cookies ---------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class Client:
    """Just enough of a browser: cookies, no redirects followed, no decompression."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: str = "") -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies and "Cookie" not in headers:
            headers["Cookie"] = self.cookie_header()
        try:
            connection.request(method, path, body=body.encode() or None, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def visible_cart_regions(html: str) -> str:
    """What static/js/storefront.js sends as X-Cart-Regions: the ids of the visible cart regions."""
    ids = []
    for tag in re.findall(r"<[a-z]+ [^>]*data-cart-region[^>]*>", html):
        region_id = re.search(r'\bid="([^"]+)"', tag)
        if region_id and not re.search(r"\shidden[\s>]", tag):
            ids.append(region_id.group(1))
    return " ".join(ids)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def htmx(target: str, current_url: str, regions: str = "") -> dict[str, str]:
    """The headers htmx 2 and storefront.js send with a request."""
    headers = {"HX-Request": "true", "HX-Target": target, "HX-Current-URL": f"http://{HOST}{current_url}"}
    if regions:
        headers["X-Cart-Regions"] = regions
    return headers


# --- Scenarios --------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def __post_init__(self) -> None:
        # What every browser sends, so the cost of compressing the answer is measured too.
        self.headers.setdefault("Accept-Encoding", "gzip, deflate, br")


@dataclass
class Scenario:
    key: str
    title: str
    requests: list[Request]
    # One-shot requests (an order per cart) may be sent only once: the warm-up gets its own slice.
    one_shot: bool = False
    # The request whose answer is measured for the size columns (sent once, before the load).
    sample: Request | None = None
    note: str = ""


@dataclass
class Result:
    scenario: Scenario
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    classes: dict[str, int]
    socket_errors: int
    size: int
    gzip_size: int
    compressed_by_server: bool
    cpu_ms: float  # the server's CPU time per request (all gunicorn processes)
    database_cpu_ms: float | None  # the PostgreSQL server's, when it runs here
    other_cpu: float  # share of the machine's CPU that other processes took meanwhile


class Shop:
    """Sessions and ids prepared over HTTP, the way a browser gets them."""

    def __init__(self, port: int, facts: dict) -> None:
        self.port = port
        self.facts = facts
        catalog = Client(port).get("/products/").text
        self.catalog_regions = visible_cart_regions(catalog)

    def shopper(self, start: str = "/products/") -> tuple[Client, str]:
        client = Client(self.port)
        page = client.get(start)
        return client, csrf_token(page.text)

    def add(self, client: Client, token: str, product_id: int, target: str, page: str, regions: str) -> Response:
        body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1, "next": page})
        response = client.request(
            "POST", f"/cart/add/{product_id}/", {**FORM, **htmx(target, page, regions)}, body=body
        )
        if response.status != 200:
            raise RuntimeError(f"add to cart answered {response.status}: {response.text[:300]}")
        return response

    def full_carts(self, count: int = SHOPPERS) -> list[tuple[Client, str]]:
        """`count` sessions, each with a CART_LINES-line cart (products never shared between them)."""
        products = self.facts["cart_products"][::-1] if count < SHOPPERS else self.facts["cart_products"]
        shoppers = []
        for index in range(count):
            client, token = self.shopper()
            for product_id in products[index * CART_LINES : (index + 1) * CART_LINES]:
                self.add(client, token, product_id, f"add-to-cart-card-{product_id}", "/products/", "cart-count")
            shoppers.append((client, token))
        return shoppers


def catalog_path(params: dict[str, object]) -> str:
    return "/products/" + (f"?{urlencode(params)}" if params else "")


def last_page(client: Client, params: dict[str, object]) -> int:
    html = client.get(catalog_path(params)).text
    match = re.search(r"Page \d+ of (\d+)", html)
    return int(match.group(1)) if match else 1


def build_scenarios(shop: Shop) -> list[Scenario]:
    port = shop.port
    anonymous = Client(port)
    filtered_last = last_page(anonymous, FILTERED)
    catalog = [
        ("", "first page", {}),
        ("-filtered", f"q={FILTERED['q']} + category + sort={FILTERED['sort']}", FILTERED),
        ("-deep", f"page {DEEP_PAGE}", {"page": DEEP_PAGE}),
        ("-filtered-deep", f"filtered, last page ({filtered_last})", {**FILTERED, "page": filtered_last}),
    ]
    scenarios = [Scenario("baseline", "baseline: trivial Django view", [Request("GET", "/bench/baseline/")])]
    for suffix, label, params in catalog:
        path = catalog_path(params)
        scenarios.append(Scenario(f"catalog{suffix}", f"catalog page, {label}", [Request("GET", path)]))
        scenarios.append(
            Scenario(
                f"catalog{suffix}-fragment",
                f"catalog fragment, {label}",
                [Request("GET", path, htmx("results", path))],
            )
        )
    scenarios.append(
        Scenario(
            "product",
            "product page",
            [Request("GET", f"/products/{slug}/") for slug in shop.facts["product_slugs"]],
            note=f"rotates over {len(shop.facts['product_slugs'])} products",
        )
    )

    full = shop.full_carts()

    def with_cookies(client: Client, request: Request) -> Request:
        return Request(
            request.method, request.path, {**request.headers, "Cookie": client.cookie_header()}, request.body
        )

    scenarios.append(
        Scenario(
            "cart",
            f"cart page, {CART_LINES} lines",
            [with_cookies(client, Request("GET", "/cart/")) for client, _ in full],
        )
    )
    scenarios.append(
        Scenario(
            "checkout-form",
            f"checkout form, {CART_LINES} lines",
            [with_cookies(client, Request("GET", "/checkout/")) for client, _ in full],
        )
    )

    # Add to cart, from the catalog's first page (every card on it is an out-of-band region the
    # answer re-renders) and from a product page. Each shopper rotates over products it can raise
    # to the 99 cap; answers at the cap are 422s and show in the answers column.
    first_page = [row for row in shop.facts["first_page"] if row["stock_quantity"] >= 50]
    adds = []
    for _ in range(SHOPPERS):
        client, token = shop.shopper()
        for row in first_page:
            target = f"add-to-cart-card-{row['id']}"
            body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1, "next": "/products/"})
            request = Request(
                "POST", f"/cart/add/{row['id']}/", {**FORM, **htmx(target, "/products/", shop.catalog_regions)}, body
            )
            if not client.cookies.get("sessionid"):
                shop.add(client, token, row["id"], target, "/products/", "cart-count")
            adds.append(with_cookies(client, request))
    scenarios.append(
        Scenario(
            "add-catalog",
            "add to cart (htmx) on the catalog",
            adds,
            note=f"{len(shop.catalog_regions.split())} cart regions in X-Cart-Regions, as the page sends",
        )
    )
    high_stock = shop.facts["high_stock"]
    adds = []
    for index in range(SHOPPERS):
        client, token = shop.shopper()
        for product_id in high_stock[index * 10 : (index + 1) * 10]:
            page = f"/products/{product_id}/"
            target = f"add-to-cart-detail-{product_id}"
            body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1, "next": page})
            regions = f"cart-count {target}"
            if not client.cookies.get("sessionid"):
                shop.add(client, token, product_id, target, page, regions)
            adds.append(
                with_cookies(
                    client, Request("POST", f"/cart/add/{product_id}/", {**FORM, **htmx(target, page, regions)}, body)
                )
            )
    scenarios.append(Scenario("add-product", "add to cart (htmx) on a product page", adds))

    changes = []
    for client, token in full:
        line_ids = re.findall(r'id="cart-line-(\d+)"', client.get("/cart/").text)
        for number, line_id in enumerate(line_ids):
            body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1 + number % 4})
            changes.append(
                with_cookies(
                    client,
                    Request(
                        "POST", f"/cart/lines/{line_id}/", {**FORM, **htmx("cart", "/cart/", "cart-count cart")}, body
                    ),
                )
            )
    scenarios.append(Scenario("cart-quantity", "cart quantity change (htmx)", changes))

    # Placing an order empties its cart: each request carries a session whose 3-line cart was
    # made by bench/fixtures.py, and a fresh submission key. The last one is the size sample.
    csrf_client, token = shop.shopper()
    orders = []
    for entry in shop.facts["order_sessions"]:
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                **ORDER_FORM,
                "submission_key": str(uuid.uuid4()),
                "reviewed_subtotal": entry["subtotal"],
            }
        )
        cookie = f"csrftoken={csrf_client.cookies['csrftoken']}; sessionid={entry['session_key']}"
        orders.append(Request("POST", "/checkout/", {**FORM, **htmx("checkout", "/checkout/"), "Cookie": cookie}, body))
    scenarios.append(
        Scenario(
            "place-order",
            "place order (htmx POST /checkout/)",
            orders[:-1],
            one_shot=True,
            sample=orders[-1],
            note="one prepared 3-line cart per request",
        )
    )
    return scenarios


# --- Driving wrk ------------------------------------------------------------------------------


def lua_string(text: str) -> str:
    escaped = "".join(
        char if 32 <= ord(char) < 127 and char not in '"\\' else "".join(f"\\{byte}" for byte in char.encode())
        for char in text
    )
    return f'"{escaped}"'


def wrk_script(requests: Iterable[Request], threads: int, out: Path, path: Path) -> Path:
    lines = [
        "-- Generated by bench/run.py; the logic is in bench/lua/bench.lua.",
        f"BENCH_THREADS = {threads}",
        f"BENCH_OUT = {lua_string(str(out))}",
        "BENCH_REQUESTS = {",
    ]
    for request in requests:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in request.headers.items())
        body = lua_string(request.body) if request.body else "nil"
        lines.append(
            f"  {{method = {lua_string(request.method)}, path = {lua_string(request.path)}, "
            f"headers = {{{headers}}}, body = {body}}},"
        )
    lines += ["}", f"dofile({lua_string(str(BENCH / 'lua' / 'bench.lua'))})", ""]
    path.write_text("\n".join(lines))
    return path


def wrk(binary: str, port: int, requests: list[Request], *, name: str, seconds: int, args: argparse.Namespace) -> dict:
    out = RESULTS / "wrk" / f"{name}.json"
    script = wrk_script(requests, args.threads, out, RESULTS / "wrk" / f"{name}.lua")
    command = [
        binary,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{port}",
    ]
    with (RESULTS / "wrk" / f"{name}.txt").open("w") as output:
        run(command, stdout=output, stderr=subprocess.STDOUT)
    return json.loads(out.read_text())


def measure_size(port: int, request: Request) -> tuple[int, int, bool]:
    """Raw bytes of the body; gzip bytes as sent when the server compresses, else computed (-6)."""
    client = Client(port)
    headers = {**request.headers, "Accept-Encoding": "gzip"}
    response = client.request(request.method, request.path, headers, request.body)
    if response.headers.get("Content-Encoding") == "gzip":
        return len(gzip.decompress(response.body)), len(response.body), True
    return len(response.body), len(gzip.compress(response.body, 6)), False


def run_scenario(
    binary: str, server_pid: int, database_pid: int | None, port: int, scenario: Scenario, args: argparse.Namespace
) -> Result:
    requests = scenario.requests
    sample = scenario.sample or requests[0]
    size, gzip_size, by_server = measure_size(port, sample)
    if scenario.one_shot:
        # The warm-up takes its own slice of one-shot requests; the measured run never repeats one.
        share = max(1, round(len(requests) * args.warmup / (args.warmup + args.duration)))
        warmup, requests = requests[:share], requests[share:]
    else:
        warmup = requests
    if args.warmup > 0:
        wrk(binary, port, warmup, name=f"{scenario.key}-warmup", seconds=args.warmup, args=args)
    before = CpuSample.now(server_pid, database_pid)
    data = wrk(binary, port, requests, name=scenario.key, seconds=args.duration, args=args)
    after = CpuSample.now(server_pid, database_pid)
    server_cpu, database_cpu = after.server - before.server, after.database - before.database
    others = (after.busy - before.busy) - server_cpu - database_cpu - (after.children - before.children)
    seconds = data["duration_us"] / 1e6
    percentiles = data["latency_us"]["percentiles"]
    errors = data["errors"]
    if scenario.one_shot and data["requests"] > len(requests):
        scenario.note += f"; pool of {len(requests)} exhausted, {data['requests'] - len(requests)} repeats"
    return Result(
        scenario=scenario,
        rps=data["requests"] / seconds,
        p50=percentiles["50"] / 1000,
        p95=percentiles["95"] / 1000,
        p99=percentiles["99"] / 1000,
        requests=data["requests"],
        classes=data["classes"],
        socket_errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        size=size,
        gzip_size=gzip_size,
        compressed_by_server=by_server,
        cpu_ms=server_cpu * 1000 / max(data["requests"], 1),
        database_cpu_ms=database_cpu * 1000 / max(data["requests"], 1) if database_pid else None,
        other_cpu=max(others, 0.0) / ((after.wall - before.wall) * (os.cpu_count() or 1)),
    )


# --- Lighthouse -------------------------------------------------------------------------------


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


# --- Report -----------------------------------------------------------------------------------


def machine_description(facts: dict, workers: int, args: argparse.Namespace, wrk_binary: str) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024**2
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    system = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME")
        ),
        platform.platform(),
    )
    wrk_version = subprocess.run([wrk_binary, "-v"], capture_output=True, text=True).stdout.split("\n")[0]  # noqa: S603
    command = " ".join(["bench/run.py", *sys.argv[1:]])
    database = "PostgreSQL through DATABASE_URL" if "PostgreSQL" in facts["database"] else "SQLite"
    return [
        f"- Command: `{command}` ({database})",
        f"- Machine: {system}, {cpu}, {os.cpu_count()} cores, {memory} GiB memory, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        f"- Software: Python {platform.python_version()}, Django {version('django')}, gunicorn {version('gunicorn')} "
        f"({workers} sync workers), {facts['database']}, {wrk_version.split(' Copyright')[0]}",
        f"- Catalog: {facts['products']} products ({facts['available']} active), `seed_catalog --products "
        f"{args.products} --replace`",
        f"- Load: wrk, {args.connections} connections, {args.threads} threads, {args.duration} s per scenario after "
        f"a {args.warmup} s warm-up, on the same machine as the server",
    ]


def format_classes(classes: dict[str, int]) -> str:
    return ", ".join(f"{key}: {count}" for key, count in sorted(classes.items(), key=lambda item: -item[1]))


def results_table(results: list[Result]) -> list[str]:
    baseline = next((r.rps for r in results if r.scenario.key == "baseline"), None)
    database = any(r.database_cpu_ms is not None for r in results)
    rows = [
        "| Scenario | req/s | × baseline | p50 ms | p95 ms | p99 ms | CPU ms/req | "
        + ("DB CPU ms/req | " if database else "")
        + "bytes | gzip | answers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | " + ("---: | " if database else "") + "---: | ---: | --- |",
    ]
    for r in results:
        ratio = f"{r.rps / baseline:.2f}" if baseline else "–"
        gzip_cell = f"{r.gzip_size:,}" + ("" if r.compressed_by_server else "*")
        answers = format_classes(r.classes) + (f"; {r.socket_errors} socket errors" if r.socket_errors else "")
        note = f" ({r.scenario.note})" if r.scenario.note else ""
        rows.append(
            f"| {r.scenario.title} `{r.scenario.key}` | {r.rps:,.0f} | {ratio} | {r.p50:.1f} | {r.p95:.1f} | "
            f"{r.p99:.1f} | {r.cpu_ms:.2f} | "
            + (f"{r.database_cpu_ms:.2f} | " if database else "")
            + f"{r.size:,} | {gzip_cell} | {answers}{note} |"
        )
    rows += [
        "",
        "CPU ms/req: CPU time of all gunicorn processes divided by the requests served (it does not depend on the "
        "concurrency and little on what else runs on the machine)"
        + ("; DB CPU ms/req: the same for the PostgreSQL server's processes." if database else "."),
    ]
    if any(not r.compressed_by_server for r in results):
        rows += [
            "\\* Sent uncompressed (GZipMiddleware leaves bodies under 200 bytes alone); the gzip column is the body "
            "gzipped at level 6 here."
        ]
    busy = [f"{r.scenario.key} {r.other_cpu:.0%}" for r in results if r.other_cpu > 0.05]
    if busy:
        rows += [
            f"**Other processes took CPU during the run** ({', '.join(busy)} of the machine): req/s and latency of "
            "those scenarios are lower than on an idle machine; CPU ms/req is still comparable."
        ]
    return rows


def targets(results: list[Result], lighthouse_results: list[LighthouseResult]) -> list[str]:
    by_key = {r.scenario.key: r for r in results}
    lines = ["## Targets", ""]
    slow = [f"{r.scenario.key} {r.p95:.0f} ms" for r in results if r.p95 >= TARGET_P95_MS]
    lines.append(
        f"- p95 < {TARGET_P95_MS} ms at 8 connections: "
        + ("**met**" if not slow else "**missed** by " + ", ".join(slow))
    )
    ratios = []
    for key in ("catalog", "catalog-filtered", "catalog-deep", "catalog-filtered-deep"):
        page, fragment = by_key.get(key), by_key.get(f"{key}-fragment")
        if page and fragment:
            ratios.append((key, page.size / fragment.size))
    if ratios:
        worst = min(ratio for _, ratio in ratios)
        lines.append(
            f"- catalog fragment ≥ {TARGET_FRAGMENT_RATIO}× smaller than the page: "
            + ("**met**" if worst >= TARGET_FRAGMENT_RATIO else "**missed**")
            + " ("
            + ", ".join(f"{key} {ratio:.2f}×" for key, ratio in ratios)
            + ")"
        )
    baseline = by_key.get("baseline")
    if baseline:
        low = [
            f"{r.scenario.key} {r.rps / baseline.rps:.0%}"
            for r in results
            if r.rps < TARGET_BASELINE_SHARE * baseline.rps
        ]
        lines.append(
            f"- no scenario below {TARGET_BASELINE_SHARE:.0%} of baseline throughput: "
            + ("**met**" if not low else "**missed** by " + ", ".join(low))
        )
    heavy = [f"{r.scenario.key} {r.cpu_ms:.1f} ms" for r in results if r.cpu_ms > TARGET_CPU_MS]
    lines.append(
        f"- proposed: every scenario ≤ {TARGET_CPU_MS} ms of CPU per request: "
        + ("**met**" if not heavy else "**missed** by " + ", ".join(heavy))
    )
    fragments = [r for r in results if r.scenario.key.startswith("catalog") and r.scenario.key.endswith("-fragment")]
    if fragments:
        big = [f"{r.scenario.key} {r.gzip_size:,} B" for r in fragments if r.gzip_size > TARGET_FRAGMENT_WIRE_BYTES]
        lines.append(
            f"- proposed: every catalog fragment ≤ {TARGET_FRAGMENT_WIRE_BYTES:,} bytes on the wire: "
            + ("**met**" if not big else "**missed** by " + ", ".join(big))
        )
    if lighthouse_results:
        short = [
            f"{lh.page} {key} {score}"
            for lh in lighthouse_results
            for key, score in lh.scores.items()
            if score is None or score < 100
        ]
        lines.append(
            "- Lighthouse 100 in every category: " + ("**met**" if not short else "**missed**: " + ", ".join(short))
        )
    return lines


def lighthouse_table(results: list[LighthouseResult]) -> list[str]:
    rows = [
        f"## Lighthouse {results[0].version} (default mobile preset, simulated throttling; Debian Chromium, headless)",
        "",
        f"Chromium flags: `{CHROME_FLAGS}`. The shop runs with DJANGO_HTTPS=0 on plain HTTP; Lighthouse treats "
        "127.0.0.1 as a secure origin.",
        "",
        "| Page | Performance | Accessibility | Best practices | SEO | FCP | LCP | TBT | CLS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lh in results:
        scores = " | ".join("–" if lh.scores[k] is None else str(lh.scores[k]) for k in LIGHTHOUSE_CATEGORIES)
        metrics = " | ".join(lh.metrics.get(name, "–") for name in ("FCP", "LCP", "TBT", "CLS"))
        rows.append(f"| {lh.page} `{lh.url}` | {scores} | {metrics} |")
    lost = [f"- {lh.page}: {item}" for lh in results for item in lh.lost]
    if lost:
        rows += ["", "Audits that cost points:", "", *lost]
    hints = [f"- {lh.page}: {item}" for lh in results for item in lh.hints]
    if hints:
        rows += ["", "Unscored advice (does not change the scores):", "", *hints]
    return rows


# --- Main -------------------------------------------------------------------------------------


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
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
    run([*manage, "seed_catalog", "--products", str(args.products), "--replace"], cwd=ROOT, env=env)
    run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env)
    facts = json.loads(
        run(
            [PYTHON, "-m", "bench.fixtures", "--order-carts", str(args.order_carts)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
        ).stdout
    )
    log(f"{facts['database']}; {len(facts['order_sessions'])} carts prepared for the order scenario")

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

    report = [
        f"# make bench — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        *machine_description(facts, workers, args, wrk_binary),
        "",
        "Latency is wrk's, from the request's first byte to the response's last, at a closed loop of "
        f"{args.connections} connections: it includes the wait for a free worker.",
        "",
        *results_table(results),
        "",
        *targets(results, lighthouse_results),
        "",
    ]
    if lighthouse_results:
        report += [*lighthouse_table(lighthouse_results), ""]
    if explain:
        report += [*explain, ""]
    text = "\n".join(report)
    (RESULTS / "latest.md").write_text(text)
    print()
    print(text)
    log(f"done in {time.monotonic() - started:.0f} s; written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
