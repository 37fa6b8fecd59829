"""HTTP benchmark of the inventory API, run from a second process against gunicorn.

    .venv/bin/python bench/run.py [--products N [--movements M]] [--requests N]
        [--seconds S] [--concurrency C] [--workers W] [--worker-class sync|gthread]
        [--threads T] [--scenarios a,b,...]

What it does, in order:

1. prepares a database: a fresh SQLite file in a temporary folder, or the one
   named by DATABASE_URL (it must be empty); runs `db upgrade`, `create-admin`
   and `seed-demo --size small`, or `seed-demo --size large --products N
   --movements M` with `--products`;
2. starts gunicorn on 127.0.0.1 and a free port, in its own process group,
   with its log in the temporary folder, and waits for /health;
3. logs in once as the admin, looks up the fixtures (a category with
   subcategories, product ids spread over the catalog, the fullest store, the
   ledger's ids) and runs each scenario from client threads in this process,
   one keep-alive connection per thread, every scenario bounded both by a
   count and by wall time;
4. prints a table (requests, statuses, req/s, p50/p99 in ms, the ratio of
   its req/s to `health` in the same run) and writes the same as JSON to
   bench/results/<timestamp>.json; with `--rounds R` the whole list runs R
   times in turn, each ratio is to its own round's `health`, and a summary
   gives each scenario's median share over the rounds (on a machine whose
   speed drifts from one minute to the next, a single `health` figure would
   make every share wrong by the same factor);
5. runs `check-ledger`, and always stops gunicorn (the whole process group),
   also on Ctrl-C.

Standard library only. Only 127.0.0.1 is ever contacted. bench/README.md
describes the scenarios.
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
ADMIN_EMAIL = f"bench-admin-{secrets.token_hex(4)}@example.com"  # new per run (--seeded)
REQUEST_TIMEOUT = 30  # seconds, per HTTP request
# A kept-alive connection idle longer than this is reopened before use: gthread
# closes idle connections after `keepalive` (2 s by default), and a request
# written into a socket the server is closing would fail for no fault of the API.
IDLE_REOPEN = 1.0
SCENARIOS = (
    "health",
    "products_filtered",
    "products_list",
    "product_detail",
    "product_stock",
    "store_inventory",
    "movements_list",
    "movements_deep",
    "movement_receipt",
    "transfer",
    "sale",
    "order_confirm",
    "contended_issue",
    "report_dashboard",
    "report_sales",
    "report_top_products",
    "report_valuation",
    "report_turnover",
    "report_debtors",
    "report_forecast",
)
# The issue's filter: a top-level category with subcategories and this price range
# (the large seed's prices are uniform from 0.50 to 50.00: about half of them match)
MIN_PRICE, MAX_PRICE = "5.00", "30.00"


# --------------------------------------------------------------------------- helpers


class BenchError(RuntimeError):
    pass


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tool(name):
    path = VENV_BIN / name
    if not path.exists():
        raise BenchError(f"{path} not found: run `make install` first")
    return str(path)


def flask_command(env, *args, timeout):
    """Run `flask --app wsgi ...`; return (exit code, combined output)."""
    cmd = [tool("flask"), "--app", "wsgi", *args]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    pairs = zip(("", *args), args, strict=False)
    shown = ["***" if prev == "--password" else a for prev, a in pairs]
    log(f"flask {' '.join(shown)} -> exit {proc.returncode} in "
        f"{time.monotonic() - started:.1f} s")
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def must(result, what):
    code, output = result
    if code != 0:
        raise BenchError(f"{what} failed (exit {code}):\n{output[-2000:]}")
    return output


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# --------------------------------------------------------------------------- HTTP client


class Connection:
    """One HTTP/1.1 connection, kept alive while the server keeps it.

    gunicorn's sync workers answer `Connection: close` and close after every
    response, so with them each request opens a new TCP connection (and its
    latency includes the connect); gthread keeps it open. A connection the
    server has closed is reopened: before the request when the last response
    said so or the connection sat idle for IDLE_REOPEN seconds, and once more,
    for a GET only, when a reused connection turns out to be closed before any
    response came (a request that was never processed). `connects` counts the
    TCP connections opened.
    """

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.conn = None
        self.last_used = 0.0
        self.connects = 0

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _open(self):
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1

    def request(self, method, path, body=None, headers=None):
        """Return (status, headers, body bytes). Connection errors propagate."""
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            body = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        if self.conn is not None and time.monotonic() - self.last_used > IDLE_REOPEN:
            self.close()
        for attempt in (1, 2):
            reused = self.conn is not None
            if not reused:
                self._open()
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and method == "GET" and attempt == 1:
                    continue  # the server had closed the kept-alive connection
                raise
            except Exception:
                self.close()
                raise
            break
        self.last_used = time.monotonic()
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def json(self, method, path, body=None, expect=(200,)):
        status, headers, data = self.request(method, path, body)
        if status not in expect:
            raise BenchError(f"{method} {path} -> {status}: {data[:500]!r}")
        return (json.loads(data) if data else None), headers


def total_of(headers):
    return json.loads(headers["X-Pagination"])["total"]


# --------------------------------------------------------------------------- load loop


def run_load(name, port, token, iteration, *, requests, seconds, concurrency, expected):
    """Run up to `requests` iterations for at most `seconds`, from `concurrency` threads.

    Each thread has its own `Connection`. `iteration(conn, i)` sends one
    request (or a fixed sequence of them) and returns (status key, number of
    HTTP requests sent); an iteration whose key is not in `expected` is an
    error. Returns the scenario's stats.
    """
    lock = threading.Lock()
    issued = 0
    latencies = []
    statuses = {}
    totals = {"http_requests": 0, "connects": 0}
    deadline = time.monotonic() + seconds

    def take_ticket():
        nonlocal issued
        with lock:
            if issued >= requests or time.monotonic() >= deadline:
                return None
            issued += 1
            return issued - 1

    def worker():
        conn = Connection(port, token)
        local_lat, local_status, sent = [], {}, 0
        try:
            # Bounded by count (tickets) and by time (deadline), whichever comes first.
            for _ in range(requests):
                i = take_ticket()
                if i is None:
                    break
                t0 = time.perf_counter()
                try:
                    key, count = iteration(conn, i)
                except (OSError, http.client.HTTPException) as exc:
                    key, count = f"exc:{type(exc).__name__}", 1
                local_lat.append((time.perf_counter() - t0) * 1000.0)
                local_status[key] = local_status.get(key, 0) + 1
                sent += count
        finally:
            conn.close()
        with lock:
            latencies.extend(local_lat)
            for key, count in local_status.items():
                statuses[key] = statuses.get(key, 0) + count
            totals["http_requests"] += sent
            totals["connects"] += conn.connects

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name) as pool:
        futures = [pool.submit(worker) for _ in range(concurrency)]
        for future in futures:
            future.result()
    elapsed = time.monotonic() - started

    latencies.sort()
    done = len(latencies)
    expected = {str(s) for s in expected}
    errors = {k: v for k, v in sorted(statuses.items()) if k not in expected}
    return {
        "scenario": name,
        "requests": done,
        "http_requests": totals["http_requests"],
        "connects": totals["connects"],
        "seconds": round(elapsed, 3),
        "stopped_by": "count" if done >= requests else "time",
        "concurrency": concurrency,
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "req_per_s": round(done / elapsed, 1) if elapsed > 0 else None,
        "latency_ms": {
            "p50": _r(percentile(latencies, 0.50)),
            "p95": _r(percentile(latencies, 0.95)),
            "p99": _r(percentile(latencies, 0.99)),
            "max": _r(latencies[-1] if latencies else None),
            "mean": _r(sum(latencies) / done if done else None),
        },
    }


def _r(value):
    return None if value is None else round(value, 2)


def one_request(make_request):
    """An iteration of one request: make_request(i) -> (method, path, body)."""
    def iteration(conn, i):
        method, path, body = make_request(i)
        status, _, _ = conn.request(method, path, body)
        return str(status), 1
    return iteration


# --------------------------------------------------------------------------- setup


def prepare_database(args, workdir, env):
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{workdir / 'bench.db'}"
    env["DATABASE_URL"] = url
    must(flask_command(env, "db", "upgrade", timeout=300), "db upgrade")
    password = secrets.token_urlsafe(18)
    must(flask_command(env, "create-admin", "--email", ADMIN_EMAIL, "--password", password,
                       "--name", "Bench Admin", timeout=120), "create-admin")
    if args.seeded:  # seeded by an earlier run: measure again on the same data
        return url, password, {"command": "none (--seeded: an earlier run's data)",
                               "seconds": 0, "phases": [], "counts": {}}
    seed_args = ["seed-demo", "--size", seed_size(args)]
    if args.products is not None:
        seed_args += ["--products", str(args.products)]
    if args.movements is not None:
        seed_args += ["--movements", str(args.movements)]
    if args.seed_batch is not None:
        seed_args += ["--batch", str(args.seed_batch)]
    started = time.monotonic()
    output = must(flask_command(env, *seed_args, timeout=args.seed_timeout),
                  f"{' '.join(seed_args)} (the database must be empty)")
    seed = {"command": " ".join(seed_args), "seconds": round(time.monotonic() - started, 1),
            "phases": [], "counts": {}}
    for line in output.splitlines():
        if line.startswith("seed-demo: "):
            seed["phases"].append(line.removeprefix("seed-demo: "))
            log(line)
        elif line.startswith("Seeded "):
            seed["counts"] = {name: int(n) for n, name in re.findall(r"(\d+) (\w+)", line)}
    return url, password, seed


def settle(url):
    """Bring the database to the state a server left running keeps it in before
    measuring: PostgreSQL's `VACUUM (ANALYZE)` (what autovacuum does; without it,
    after a bulk seed, index-only scans read the heap: the filtered list's count
    at 20,000 products took 10 ms instead of 2), MariaDB's `ANALYZE TABLE`,
    SQLite's `ANALYZE`. Returns the seconds it took."""
    from sqlalchemy import create_engine, inspect, text

    started = time.monotonic()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("VACUUM (ANALYZE)"))
            elif conn.dialect.name in ("mysql", "mariadb"):
                tables = ", ".join(f"`{name}`" for name in inspect(conn).get_table_names())
                conn.execute(text(f"ANALYZE TABLE {tables}")).all()
            else:
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return round(time.monotonic() - started, 1)


def seed_size(args):
    return "large" if args.large or args.products is not None else "small"


def gunicorn_env(args, env):
    """Worker settings go through gunicorn.conf.py's variables, so that its worker
    classes (JSON errors for refused requests) are the ones measured."""
    env = dict(env)
    env.update({"GUNICORN_WORKERS": str(args.workers),
                "GUNICORN_WORKER_CLASS": args.worker_class,
                "GUNICORN_THREADS": str(args.threads)})
    env.pop("GUNICORN_ACCESSLOG", None)
    return env


def effective_worker_class(args):
    """What gunicorn.conf.py runs: `sync` with threads > 1 becomes `gthread`."""
    return "gthread" if args.worker_class == "sync" and args.threads > 1 else args.worker_class


def start_gunicorn(args, env, port, log_path):
    cmd = [tool("gunicorn"), "-c", "gunicorn.conf.py", "-b", f"{HOST}:{port}", "wsgi:app"]
    log_file = open(log_path, "wb")  # closed in stop_gunicorn
    proc = subprocess.Popen(cmd, cwd=ROOT, env=gunicorn_env(args, env), stdout=log_file,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    proc.bench_log = log_file
    log(f"gunicorn pid {proc.pid} on {HOST}:{port}: {args.workers} x "
        f"{effective_worker_class(args)} (threads {args.threads}); log {log_path}")
    conn = Connection(port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            status, _, _ = conn.request("GET", "/health")
            if status == 200:
                conn.close()
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /health within 30 s; see {log_path}")


def stop_gunicorn(proc):
    if proc is None:
        return
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    proc.bench_log.close()
    log(f"gunicorn stopped (exit {proc.returncode})")


# --------------------------------------------------------------------------- fixtures


def fetch_fixtures(conn):
    """What the scenarios need, found through the API (read only)."""
    _, headers = conn.json("GET", "/api/v1/products?page_size=1")
    total_products = total_of(headers)
    stores, _ = conn.json("GET", "/api/v1/stores?page_size=100")
    stores = [s for s in stores if s.get("active", True)]
    if len(stores) < 2:
        raise BenchError("the seed gave fewer than two active stores")
    clients, _ = conn.json("GET", "/api/v1/clients?page_size=1")
    if not clients:
        raise BenchError("the seed gave no client")

    # the top-level category with subcategories whose tree holds the most products
    categories, _ = conn.json("GET", "/api/v1/categories?page_size=100")
    parents = {c["parent_id"] for c in categories if c.get("parent_id") is not None}
    candidates = [c for c in categories if c.get("parent_id") is None and c["id"] in parents]
    if not candidates:
        raise BenchError("no top-level category with subcategories")
    filtered = []
    for category in candidates:
        query = urlencode({"category_id": category["id"], "min_price": MIN_PRICE,
                           "max_price": MAX_PRICE, "page_size": 20})
        _, headers = conn.json("GET", f"/api/v1/products?{query}")
        filtered.append((total_of(headers), category, query))
    matching, category, filter_query = max(filtered, key=lambda t: t[0])
    if matching == 0:
        raise BenchError("the product filter matches nothing")

    # product ids spread over the whole catalog: up to 40 pages of 100, evenly spaced
    pages = -(-total_products // 100)
    wanted = sorted({1 + (pages - 1) * k // 39 for k in range(40)}) if pages > 1 else [1]
    rows = []
    for page in wanted:
        rows += conn.json("GET", f"/api/v1/products?page_size=100&sort=sku&page={page}")[0]
    product_ids = spread([p["id"] for p in rows])
    plain_ids = spread([p["id"] for p in rows if not p.get("track_lots")])
    if not plain_ids:
        raise BenchError("the seed gave no products without lots")

    # the store holding the most products
    held = []
    for store in stores:
        _, headers = conn.json("GET", f"/api/v1/stores/{store['id']}/inventory?page_size=1")
        held.append((total_of(headers), store["id"]))
    store_products, inventory_store = max(held)

    newest, headers = conn.json("GET", "/api/v1/movements?page_size=1")
    total_movements = total_of(headers)
    newest_id = newest[0]["id"]
    deep_before = max(2, newest_id // 10)  # ids start at 1: near the oldest tenth
    deep, _ = conn.json("GET", f"/api/v1/movements?page_size=50&before_id={deep_before}")
    return {
        "total_products": total_products,
        "total_movements": total_movements,
        "store_ids": [s["id"] for s in stores],
        "client_id": clients[0]["id"],
        "filter": {"category_id": category["id"], "category": category["name"],
                   "min_price": MIN_PRICE, "max_price": MAX_PRICE, "matching": matching,
                   "share": round(matching / total_products, 3)},
        "filter_query": filter_query,
        "product_ids": product_ids,
        "plain_product_ids": plain_ids,
        "product_pages": max(1, min(50, -(-total_products // 20))),
        "inventory_store_id": inventory_store,
        "inventory_store_products": store_products,
        "newest_movement_id": newest_id,
        "deep_before_id": deep_before,
        "deep_page_rows": len(deep),
        # the year the report scenarios read (UTC days: the bench server runs in UTC)
        "today": date.today().isoformat(),
        "year_ago": (date.today() - timedelta(days=364)).isoformat(),
    }


def fixture_summary(fx):
    hidden = ("product_ids", "plain_product_ids", "filter_query")
    return {key: value for key, value in fx.items() if key not in hidden}


def spread(ids):
    """`ids` in a stride order, so that consecutive requests land far apart."""
    stride = next(s for s in (7919, 104729, 1299709) if len(ids) % s) if ids else 1
    return [ids[(k * stride) % len(ids)] for k in range(len(ids))]


def new_product(conn, label, price="2.50"):
    sku = f"BENCH-{label}-{int(time.time())}-{secrets.token_hex(3)}".upper()
    product, _ = conn.json("POST", "/api/v1/products",
                           {"sku": sku, "name": f"Bench {label.lower()} product",
                            "price": price}, expect=(201,))
    return product["id"]


def receive(conn, product_id, store_id, quantity):
    conn.json("POST", "/api/v1/movements",
              {"type": "receipt", "product_id": product_id, "store_id": store_id,
               "quantity": str(quantity), "unit_cost": "1.00"}, expect=(201,))


# --------------------------------------------------------------------------- scenarios


def read_scenarios(fx):
    """name -> (iteration, expected statuses). Ids and pages rotate with i."""
    pid, plain, sid = fx["product_ids"], fx["plain_product_ids"], fx["store_ids"]
    pages = fx["product_pages"]

    def get(path, **query):
        return one_request(lambda i: ("GET", f"{path}?{urlencode(query)}" if query else path,
                                      None))

    return {
        "health": (get("/health"), (200,)),
        "products_filtered": (
            one_request(lambda i: ("GET", f"/api/v1/products?{fx['filter_query']}", None)),
            (200,)),
        "products_list": (
            one_request(lambda i: ("GET", f"/api/v1/products?page_size=20&page={i % pages + 1}",
                                   None)), (200,)),
        "product_detail": (
            one_request(lambda i: ("GET", f"/api/v1/products/{pid[i % len(pid)]}", None)),
            (200,)),
        "product_stock": (
            one_request(lambda i: ("GET", f"/api/v1/products/{pid[i % len(pid)]}/stock", None)),
            (200,)),
        "store_inventory": (get(f"/api/v1/stores/{fx['inventory_store_id']}/inventory"), (200,)),
        "movements_list": (get("/api/v1/movements", page_size=50), (200,)),
        "movements_deep": (get("/api/v1/movements", page_size=50,
                               before_id=fx["deep_before_id"]), (200,)),
        "movement_receipt": (one_request(lambda i: ("POST", "/api/v1/movements", {
            "type": "receipt", "product_id": plain[i % len(plain)],
            "store_id": sid[(i // len(plain)) % len(sid)], "quantity": "1"})), (201,)),
        # reports over the whole data set: a year of selling (seed-demo's history)
        "report_dashboard": (get("/api/v1/reports/dashboard"), (200,)),
        "report_sales": (get("/api/v1/reports/sales", group_by="month",
                             date_from=fx["year_ago"], date_to=fx["today"]), (200,)),
        "report_top_products": (get("/api/v1/reports/top-products", by="amount", limit=10,
                                    date_from=fx["year_ago"], date_to=fx["today"]), (200,)),
        "report_valuation": (get("/api/v1/reports/inventory-valuation"), (200,)),
        "report_turnover": (get("/api/v1/reports/stock-turnover"), (200,)),
        "report_debtors": (get("/api/v1/reports/debtors"), (200,)),
        "report_forecast": (get("/api/v1/reports/forecast"), (200,)),
    }


def transfer_scenario(conn, fx, args):
    """1-unit transfers of ONE fresh product between two stores, alternating direction."""
    product_id = new_product(conn, "HOT")
    a, b = fx["store_ids"][:2]
    stock = args.concurrency * 4 + 100  # the alternation never drifts by more than C
    receive(conn, product_id, a, stock)
    receive(conn, product_id, b, stock)

    def make(i):
        source, target = (a, b) if i % 2 == 0 else (b, a)
        return ("POST", "/api/v1/transfers", {
            "from_store_id": source, "to_store_id": target,
            "lines": [{"product_id": product_id, "quantity": "1"}], "notes": "bench"})

    result = run_load("transfer", args.port, args.token, one_request(make),
                      requests=args.requests, seconds=args.seconds,
                      concurrency=args.concurrency, expected=(201,))
    result["setup"] = {"product_id": product_id, "stores": [a, b], "received_each": stock}
    return result


def sale_scenario(conn, fx, args):
    """3-line cash sales (1 unit of each of 3 fresh products) from one stocked store."""
    store_id = fx["store_ids"][1]
    stock = args.requests + 100
    products = [new_product(conn, f"SALE{n}", price) for n, price in
                enumerate(("1.20", "3.45", "9.99"), start=1)]
    for product_id in products:
        receive(conn, product_id, store_id, stock)
    body = {"store_id": store_id, "payment_method": "cash",
            "lines": [{"product_id": p, "quantity": "1"} for p in products]}
    result = run_load("sale", args.port, args.token,
                      one_request(lambda i: ("POST", "/api/v1/sales", body)),
                      requests=args.requests, seconds=args.seconds,
                      concurrency=args.concurrency, expected=(201,))
    result["setup"] = {"store_id": store_id, "product_ids": products, "received_each": stock}
    return result


def order_scenario(conn, fx, args):
    """An order of one line (1 unit) for a client, then its confirm, paid in full."""
    store_id = fx["store_ids"][1]
    stock = args.requests + 100
    product_id = new_product(conn, "ORDER", "4.80")
    receive(conn, product_id, store_id, stock)
    body = {"client_id": fx["client_id"], "store_id": store_id,
            "lines": [{"product_id": product_id, "quantity": "1"}], "notes": "bench"}

    def iteration(c, i):
        status, _, data = c.request("POST", "/api/v1/orders", body)
        if status != 201:
            return str(status), 1
        order = json.loads(data)
        status, _, _ = c.request("POST", f"/api/v1/orders/{order['id']}/confirm",
                                 {"amount_paid": order["total"]})
        return f"201+{status}", 2

    result = run_load("order_confirm", args.port, args.token, iteration,
                      requests=args.requests, seconds=args.seconds,
                      concurrency=args.concurrency, expected=("201+200",))
    result["setup"] = {"store_id": store_id, "product_id": product_id, "received": stock,
                       "client_id": fx["client_id"]}
    return result


def contended_issue(conn, fx, args):
    """Many concurrent 1-unit issues of ONE fresh product holding `--stock` units."""
    stock = args.stock
    product_id = new_product(conn, "CONTENDED", "1.00")
    store_id = fx["store_ids"][0]
    receive(conn, product_id, store_id, stock)
    body = {"type": "issue", "product_id": product_id, "store_id": store_id, "quantity": "1"}
    result = run_load("contended_issue", args.port, args.token,
                      one_request(lambda i: ("POST", "/api/v1/movements", body)),
                      requests=args.contended_requests, seconds=args.seconds,
                      concurrency=args.contended_concurrency, expected=(201, 409))
    sold = result["statuses"].get("201", 0)
    refused = result["statuses"].get("409", 0)
    level, _ = conn.json("GET", f"/api/v1/products/{product_id}/stock")
    on_hand = float(level["on_hand"])
    expected_on_hand = stock - sold
    # Every request beyond the stock must be refused, and none before it.
    short = min(result["requests"], stock)
    result["check"] = {
        "product_id": product_id,
        "store_id": store_id,
        "stock_received": stock,
        "issued_201": sold,
        "refused_409": refused,
        "on_hand_after": level["on_hand"],
        "on_hand_expected": f"{expected_on_hand:.3f}",
        "on_hand_ok": abs(on_hand - expected_on_hand) < 1e-9,
        "oversold": max(0, sold - stock),
        "sold_ok": sold == short,
    }
    return result


WRITE_SCENARIOS = {"transfer": transfer_scenario, "sale": sale_scenario,
                   "order_confirm": order_scenario, "contended_issue": contended_issue}


# --------------------------------------------------------------------------- report


def add_ratios(results):
    """Each result's req/s as a share of `health`'s in the same round."""
    ceilings = {r.get("round", 1): r["req_per_s"] for r in results if r["scenario"] == "health"}
    for r in results:
        ceiling = ceilings.get(r.get("round", 1))
        r["ratio_to_health"] = (round(r["req_per_s"] / ceiling, 4)
                                if ceiling and r["req_per_s"] is not None else None)


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def summarize(results):
    """Per scenario, over the rounds: median req/s, median p50 and the median (and
    range) of the per-round shares of `health`. The machine's speed may drift
    between rounds; a share is taken within one round, so the drift cancels."""
    by_name = {}
    for r in results:
        by_name.setdefault(r["scenario"], []).append(r)
    summary = []
    for name, runs in by_name.items():
        ratios = [r["ratio_to_health"] for r in runs if r["ratio_to_health"] is not None]
        summary.append({
            "scenario": name,
            "rounds": len(runs),
            "req_per_s_median": _median([r["req_per_s"] for r in runs]),
            "p50_ms_median": _median([r["latency_ms"]["p50"] for r in runs]),
            "ratio_to_health_median": (round(_median(ratios), 4) if ratios else None),
            "ratio_to_health_min": min(ratios) if ratios else None,
            "ratio_to_health_max": max(ratios) if ratios else None,
        })
    return summary


def print_summary(summary, rounds):
    print()
    header = (f"{'median of ' + str(rounds) + ' rounds':<18} {'req/s':>7} {'p50':>7} "
              f"{'/health':>7}  (per-round range)")
    print(header)
    print("-" * len(header))
    for s in summary:
        ratio = s["ratio_to_health_median"]
        if ratio is None:
            shares = f"{'-':>7}"
        else:
            shares = (f"{ratio * 100:>6.1f}%  ({s['ratio_to_health_min'] * 100:.1f}"
                      f"-{s['ratio_to_health_max'] * 100:.1f} %)")
        print(f"{s['scenario']:<18} {s['req_per_s_median'] or 0:>7.1f} "
              f"{_fmt(s['p50_ms_median'])} {shares}")


def print_table(results):
    rounds = max((r.get("round", 1) for r in results), default=1)
    header = (f"{'scenario':<18} {'reqs':>6} {'secs':>5} {'req/s':>7} {'p50':>7} {'p99':>7} "
              f"{'/health':>7} {'conns':>5}  statuses")
    print(header)
    print("-" * len(header))
    for r in results:
        lat = r["latency_ms"]
        statuses = " ".join(f"{k}:{v}" for k, v in r["statuses"].items())
        flag = "" if not r["errors"] else "  <-- errors"
        ratio = r["ratio_to_health"]
        ratio = f"{ratio * 100:>6.1f}%" if ratio is not None else f"{'-':>7}"
        name = r["scenario"] if rounds == 1 else f"{r['scenario']} #{r['round']}"
        print(f"{name:<18} {r['requests']:>6} {r['seconds']:>5.1f} "
              f"{r['req_per_s'] or 0:>7.1f} {_fmt(lat['p50'])} {_fmt(lat['p99'])} "
              f"{ratio} {r['connects']:>5}  {statuses}{flag}")
    print("latencies in ms, measured in the client (a request's connect included when the "
          "server closed the previous one); order_confirm: one row per create + confirm pair; "
          "conns: TCP connections opened")


def _fmt(value):
    return f"{'-':>7}" if value is None else f"{value:>7.1f}"


def git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10, check=False)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10,
                               check=False)
        commit = out.stdout.strip() or None
        if commit and dirty.stdout.strip():
            commit += "+uncommitted"
        return commit
    except OSError:
        return None


def redact(url):
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=None,
                        help="seed-demo --size large --products N: a catalog of N products "
                             "(default: the small seed, 56 products)")
    parser.add_argument("--movements", type=int, default=None,
                        help="with --products: ledger rows the seed writes (default: "
                             "seed-demo's, 200,000)")
    parser.add_argument("--large", action="store_true",
                        help="seed-demo --size large with its defaults (10,000 products, "
                             "200,000 movements)")
    parser.add_argument("--seed-batch", type=int, default=None,
                        help="seed-demo --batch: movements per seed transaction")
    parser.add_argument("--requests", type=int, default=2000,
                        help="most iterations per scenario (default 2000)")
    parser.add_argument("--seconds", type=float, default=10,
                        help="most wall time per scenario (default 10)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="client threads per scenario (default 8)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the scenario list this many times in turn; each round's "
                             "ratios are to that round's `health`, and a summary gives each "
                             "scenario's median over the rounds (default 1)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated subset of: {', '.join(SCENARIOS)}")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                        help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; > 1 means gthread (default 1)")
    parser.add_argument("--stock", type=int, default=500,
                        help="units received before the contended scenario (default 500)")
    parser.add_argument("--contended-requests", type=int, default=800,
                        help="1-unit issues sent in the contended scenario (default 800)")
    parser.add_argument("--contended-concurrency", type=int, default=16,
                        help="client threads in the contended scenario (default 16)")
    parser.add_argument("--seed-timeout", type=float, default=3600,
                        help="seconds allowed for seed-demo (default 3600)")
    parser.add_argument("--seeded", action="store_true",
                        help="DATABASE_URL already holds a seeded data set (an earlier run's, "
                             "or seed-demo's): skip seeding and measure on it")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (SQLite file, gunicorn log)")
    args = parser.parse_args(argv)
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenario_list) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    for name in ("requests", "seconds", "concurrency", "workers", "threads", "stock", "rounds",
                 "contended_requests", "contended_concurrency"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.movements is not None and args.products is None and not args.large:
        parser.error("--movements goes with --products (or --large)")
    if args.large and args.products is not None:
        parser.error("--large or --products, not both")
    return args


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="inventory-bench-"))
    env = dict(os.environ)
    env.update({"APP_ENV": "development", "LOG_LEVEL": "WARNING",
                "ACCESS_TOKEN_MINUTES": "240", "PYTHONUNBUFFERED": "1"})
    gunicorn = None
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"warning: load average {load_before[0]:.2f} before the run; other processes "
            "compete for the CPU and the numbers will be lower and noisier")
    results = []
    ok = True
    url, seed, fx = os.environ.get("DATABASE_URL", "sqlite"), {}, {}
    ledger_code, ledger_out = None, ""
    try:
        url, password, seed = prepare_database(args, workdir, env)
        seed["settle_seconds"] = settle(url)
        log(f"settled (vacuum/analyze) in {seed['settle_seconds']} s")
        args.port = free_port()
        gunicorn = start_gunicorn(args, env, args.port, workdir / "gunicorn.log")

        conn = Connection(args.port)
        login, _ = conn.json("POST", "/api/v1/auth/login",
                             {"email": ADMIN_EMAIL, "password": password})
        conn.token = args.token = login["access_token"]
        fx = fetch_fixtures(conn)
        log(f"fixtures: {json.dumps(fixture_summary(fx))}")
        reads = read_scenarios(fx)

        for round_number in range(1, args.rounds + 1):
            for name in args.scenario_list:
                log(f"round {round_number}: scenario {name} ...")
                if name in WRITE_SCENARIOS:
                    result = WRITE_SCENARIOS[name](conn, fx, args)
                else:
                    iteration, expected = reads[name]
                    result = run_load(name, args.port, args.token, iteration,
                                      requests=args.requests, seconds=args.seconds,
                                      concurrency=args.concurrency, expected=expected)
                result["round"] = round_number
                # The 1-minute load average after the scenario: well above the
                # gunicorn workers' share means something else competed for the CPU.
                result["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
                results.append(result)
                if result["errors"]:
                    ok = False
        conn.close()

        ledger_code, ledger_out = flask_command(env, "check-ledger", timeout=1200)
        if ledger_code != 0:
            ok = False
    except KeyboardInterrupt:
        log("interrupted")
        ok = False
        raise
    finally:
        stop_gunicorn(gunicorn)
        if gunicorn is not None:
            tail = (workdir / "gunicorn.log").read_text(errors="replace").splitlines()[-20:]
            server_errors = [line for line in tail if '"ERROR"' in line or "Traceback" in line]
            if server_errors:
                log("server errors in the gunicorn log (last lines):\n" + "\n".join(tail))

    contended_runs = [r for r in results if r["scenario"] == "contended_issue"]
    contended = contended_runs[-1] if contended_runs else None
    if any(not (c["check"]["on_hand_ok"] and c["check"]["sold_ok"]) for c in contended_runs):
        ok = False
    add_ratios(results)
    summary = summarize(results) if args.rounds > 1 else None

    counts = seed.get("counts", {})
    print()
    print(f"Inventory API bench {started_at:%Y-%m-%d %H:%M} UTC, commit {git_commit()}, "
          f"{redact(url).split(':')[0]}, {seed.get('command')}: "
          f"{counts.get('products')} products, {counts.get('movements')} movements; "
          f"gunicorn {args.workers} x {effective_worker_class(args)} (threads {args.threads}), "
          f"client concurrency {args.concurrency}, bounds {args.requests} / "
          f"{args.seconds:g} s, load average before {load_before[0]:.2f}")
    if fx:
        f = fx["filter"]
        print(f"products_filtered: category {f['category_id']} ({f['category']}) and "
              f"subcategories, price {f['min_price']}-{f['max_price']}: {f['matching']} of "
              f"{fx['total_products']} products match; store_inventory: store "
              f"{fx['inventory_store_id']} ({fx['inventory_store_products']} products); "
              f"movements_deep: before_id {fx['deep_before_id']} of "
              f"{fx['newest_movement_id']}")
    print_table(results)
    if summary:
        print_summary(summary, args.rounds)
    for contended in contended_runs:
        c = contended["check"]
        print(f"contended_issue: received {c['stock_received']}, 201 = {c['issued_201']}, "
              f"409 = {c['refused_409']}, oversold {c['oversold']}, on_hand after = "
              f"{c['on_hand_after']} (expected {c['on_hand_expected']}): "
              f"{'OK' if c['on_hand_ok'] and c['sold_ok'] else 'WRONG'}")
    print(f"check-ledger: exit {ledger_code} - "
          f"{ledger_out.splitlines()[-1] if ledger_out else ''}")

    report = {
        "started_at": started_at.isoformat(),
        "git_commit": git_commit(),
        "database": redact(url) if not url.startswith("sqlite") else "sqlite (temporary file)",
        "seed": seed,
        "products": counts.get("products"),
        "movements": counts.get("movements"),
        "fixtures": fixture_summary(fx) if fx else None,
        "gunicorn": {"workers": args.workers, "worker_class": effective_worker_class(args),
                     "threads": args.threads},
        "rounds": args.rounds,
        "summary": summary,
        "bounds": {"requests": args.requests, "seconds": args.seconds,
                   "concurrency": args.concurrency,
                   "contended_requests": args.contended_requests,
                   "contended_concurrency": args.contended_concurrency, "stock": args.stock},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "check_ledger_exit": ledger_code,
        "ok": ok,
        "scenarios": results,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{started_at:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    if args.keep or not ok:
        print(f"kept: {workdir}")
    else:
        for path in sorted(workdir.iterdir()):
            path.unlink()
        workdir.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        log(f"error: {exc}")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
