"""HTTP benchmark of the inventory API, run from a second process against gunicorn.

    .venv/bin/python bench/run.py [--requests N] [--seconds S] [--concurrency C] [--large]

What it does, in order:

1. prepares a database: a fresh SQLite file in a temporary folder, or the one
   named by DATABASE_URL (it must be empty); runs `db upgrade`, `create-admin`
   and `seed-demo --size small|large`;
2. starts gunicorn on 127.0.0.1 and a free port, in its own process group,
   with its log in the temporary folder, and waits for /health;
3. logs in once as the admin and runs each scenario from worker threads in
   this process, every scenario bounded both by a request count and by wall
   time;
4. prints a table (requests, statuses, req/s, p50/p95/p99 in ms) and writes
   the same as JSON to bench/results/<timestamp>.json;
5. always stops gunicorn (the whole process group), also on Ctrl-C.

Standard library only. Only 127.0.0.1 is ever contacted.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
ADMIN_EMAIL = "bench-admin@example.com"
REQUEST_TIMEOUT = 30  # seconds, per HTTP request
SCENARIOS = (
    "health",
    "products_list",
    "products_list_100",
    "product_detail",
    "movements_list",
    "movements_list_100",
    "store_inventory",
    "product_stock",
    "movement_receipt",
    "contended_issue",
)


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


class Client:
    """One http.client connection per thread, reopened whenever the server closes it.

    gunicorn's sync workers close the connection after every response, so in
    practice every request pays a TCP connect on the loopback (as a real
    client of a sync gunicorn would).
    """

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self._local = threading.local()

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            self._local.conn = conn
        return conn

    def request(self, method, path, body=None, headers=None):
        """Return (status, headers, body bytes). Connection errors propagate."""
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            body = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        conn = self._conn()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        except Exception:
            conn.close()
            self._local.conn = None
            raise
        if response.will_close:
            conn.close()
        return response.status, response.headers, data

    def json(self, method, path, body=None, expect=(200,)):
        status, headers, data = self.request(method, path, body)
        if status not in expect:
            raise BenchError(f"{method} {path} -> {status}: {data[:500]!r}")
        return (json.loads(data) if data else None), headers


# --------------------------------------------------------------------------- load loop


def run_load(name, client, make_request, *, requests, seconds, concurrency, expected):
    """Send up to `requests` requests for at most `seconds`, from `concurrency` threads.

    `make_request(i)` returns (method, path, body). Returns the scenario's stats.
    """
    lock = threading.Lock()
    issued = 0
    latencies = []
    statuses = {}
    deadline = time.monotonic() + seconds

    def take_ticket():
        nonlocal issued
        with lock:
            if issued >= requests or time.monotonic() >= deadline:
                return None
            issued += 1
            return issued - 1

    def worker():
        local_lat, local_status = [], {}
        # Bounded by count (tickets) and by time (deadline), whichever comes first.
        for _ in range(requests):
            i = take_ticket()
            if i is None:
                break
            method, path, body = make_request(i)
            t0 = time.perf_counter()
            try:
                status, _, _ = client.request(method, path, body)
                key = str(status)
            except (OSError, http.client.HTTPException) as exc:
                key = f"exc:{type(exc).__name__}"
            local_lat.append((time.perf_counter() - t0) * 1000.0)
            local_status[key] = local_status.get(key, 0) + 1
        with lock:
            latencies.extend(local_lat)
            for key, count in local_status.items():
                statuses[key] = statuses.get(key, 0) + count

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name) as pool:
        futures = [pool.submit(worker) for _ in range(concurrency)]
        for future in futures:
            future.result()
    elapsed = time.monotonic() - started

    latencies.sort()
    done = len(latencies)
    errors = {k: v for k, v in sorted(statuses.items()) if k not in {str(s) for s in expected}}
    return {
        "scenario": name,
        "requests": done,
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
    size = "large" if args.large else "small"
    started = time.monotonic()
    must(flask_command(env, "seed-demo", "--size", size, timeout=args.seed_timeout),
         f"seed-demo --size {size} (the database must be empty)")
    return url, password, round(time.monotonic() - started, 1)


def start_gunicorn(args, env, port, log_path):
    cmd = [tool("gunicorn"), "-c", "gunicorn.conf.py", "-b", f"{HOST}:{port}",
           "--workers", str(args.workers), "--worker-class", args.worker_class,
           "--threads", str(args.threads), "wsgi:app"]
    log_file = open(log_path, "wb")  # closed in stop_gunicorn
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    proc.bench_log = log_file
    log(f"gunicorn pid {proc.pid} on {HOST}:{port}: {' '.join(cmd[1:])}; log {log_path}")
    client = Client(port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            status, _, _ = client.request("GET", "/health")
            if status == 200:
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


# --------------------------------------------------------------------------- scenarios


def fetch_fixtures(client):
    """Ids the scenarios cycle through: products (and which track lots) and stores."""
    products, headers = client.json("GET", "/api/v1/products?page_size=100&sort=sku")
    total_products = json.loads(headers["X-Pagination"])["total"]
    stores, _ = client.json("GET", "/api/v1/stores?page_size=100")
    plain = [p["id"] for p in products if not p.get("track_lots")]
    if not plain or not stores:
        raise BenchError("the seed gave no stores or no product without lots")
    return {
        "product_ids": [p["id"] for p in products],
        "plain_product_ids": plain,
        "store_ids": [s["id"] for s in stores],
        "total_products": total_products,
    }


def simple_scenarios(fx):
    """name -> (make_request(i), expected statuses). Ids and pages rotate with i."""
    product_pages = max(1, min(50, -(-fx["total_products"] // 20)))
    pid, plain, sid = fx["product_ids"], fx["plain_product_ids"], fx["store_ids"]

    def get(path, **query):
        return ("GET", f"{path}?{urlencode(query)}" if query else path, None)

    return {
        "health": (lambda i: get("/health"), (200,)),
        "products_list": (
            lambda i: get("/api/v1/products", page_size=20, page=i % product_pages + 1), (200,)),
        "products_list_100": (
            lambda i: get("/api/v1/products", page_size=100), (200,)),
        "product_detail": (
            lambda i: get(f"/api/v1/products/{pid[i % len(pid)]}"), (200,)),
        "movements_list": (
            lambda i: get("/api/v1/movements", page_size=50), (200,)),
        "movements_list_100": (
            lambda i: get("/api/v1/movements", page_size=100), (200,)),
        "store_inventory": (
            lambda i: get(f"/api/v1/stores/{sid[i % len(sid)]}/inventory"), (200,)),
        "product_stock": (
            lambda i: get(f"/api/v1/products/{pid[i % len(pid)]}/stock"), (200,)),
        "movement_receipt": (
            lambda i: ("POST", "/api/v1/movements", {
                "type": "receipt", "product_id": plain[i % len(plain)],
                "store_id": sid[(i // len(plain)) % len(sid)], "quantity": "1",
            }), (201,)),
    }


def contended_issue(client, fx, args):
    """Many concurrent 1-unit issues of ONE fresh product holding `--stock` units."""
    stock = args.stock
    sku = f"BENCH-{int(time.time())}-{secrets.token_hex(3)}".upper()
    product, _ = client.json("POST", "/api/v1/products",
                             {"sku": sku, "name": "Bench contended product", "price": "1.00"},
                             expect=(201,))
    store_id = fx["store_ids"][0]
    client.json("POST", "/api/v1/movements",
                {"type": "receipt", "product_id": product["id"], "store_id": store_id,
                 "quantity": str(stock), "unit_cost": "0.50"}, expect=(201,))
    body = {"type": "issue", "product_id": product["id"], "store_id": store_id, "quantity": "1"}
    result = run_load("contended_issue", client, lambda i: ("POST", "/api/v1/movements", body),
                      requests=args.contended_requests, seconds=args.seconds,
                      concurrency=args.contended_concurrency, expected=(201, 409))
    sold = result["statuses"].get("201", 0)
    refused = result["statuses"].get("409", 0)
    level, _ = client.json("GET", f"/api/v1/products/{product['id']}/stock")
    on_hand = float(level["on_hand"])
    expected_on_hand = stock - sold
    # Every request beyond the stock must be refused, and none before it.
    short = min(result["requests"], stock)
    result["check"] = {
        "product_id": product["id"],
        "store_id": store_id,
        "stock_received": stock,
        "issued_201": sold,
        "refused_409": refused,
        "on_hand_after": level["on_hand"],
        "on_hand_expected": f"{expected_on_hand:.3f}",
        "on_hand_ok": abs(on_hand - expected_on_hand) < 1e-9,
        "sold_ok": sold == short,
    }
    return result


# --------------------------------------------------------------------------- report


def print_table(results):
    header = (f"{'scenario':<20} {'reqs':>6} {'secs':>6} {'req/s':>7} {'p50':>7} {'p95':>7} "
              f"{'p99':>7} {'max':>7}  statuses")
    print(header)
    print("-" * len(header))
    for r in results:
        lat = r["latency_ms"]
        statuses = " ".join(f"{k}:{v}" for k, v in r["statuses"].items())
        flag = "" if not r["errors"] else "  <-- errors"
        print(f"{r['scenario']:<20} {r['requests']:>6} {r['seconds']:>6.1f} "
              f"{r['req_per_s'] or 0:>7.1f} {_fmt(lat['p50'])} {_fmt(lat['p95'])} "
              f"{_fmt(lat['p99'])} {_fmt(lat['max'])}  {statuses}{flag}")
    print("latencies in ms, measured in the client (includes connect; sync workers close "
          "the connection after each response)")


def _fmt(value):
    return f"{'-':>7}" if value is None else f"{value:>7.1f}"


def git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip() or None
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
    parser.add_argument("--requests", type=int, default=2000,
                        help="most requests per scenario (default 2000)")
    parser.add_argument("--seconds", type=float, default=20,
                        help="most wall time per scenario (default 20)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="client threads per scenario (default 8)")
    parser.add_argument("--large", action="store_true",
                        help="seed-demo --size large (10k products, 200k movements; slow)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated subset of: {', '.join(SCENARIOS)}")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--stock", type=int, default=500,
                        help="units received before the contended scenario (default 500)")
    parser.add_argument("--contended-requests", type=int, default=800,
                        help="1-unit issues sent in the contended scenario (default 800)")
    parser.add_argument("--contended-concurrency", type=int, default=16,
                        help="client threads in the contended scenario (default 16)")
    parser.add_argument("--seed-timeout", type=float, default=1800,
                        help="seconds allowed for seed-demo (default 1800)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (SQLite file, gunicorn log)")
    args = parser.parse_args(argv)
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenario_list) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    for name in ("requests", "seconds", "concurrency", "workers", "threads", "stock",
                 "contended_requests", "contended_concurrency"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
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
    env.pop("GUNICORN_ACCESSLOG", None)
    gunicorn = None
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"warning: load average {load_before[0]:.2f} before the run; other processes "
            "compete for the CPU and the numbers will be lower and noisier")
    results = []
    ok = True
    try:
        url, password, seed_seconds = prepare_database(args, workdir, env)
        port = free_port()
        gunicorn = start_gunicorn(args, env, port, workdir / "gunicorn.log")

        client = Client(port)
        login, _ = client.json("POST", "/api/v1/auth/login",
                               {"email": ADMIN_EMAIL, "password": password})
        client.token = login["access_token"]
        fx = fetch_fixtures(client)
        simple = simple_scenarios(fx)

        for name in args.scenario_list:
            log(f"scenario {name} ...")
            if name == "contended_issue":
                result = contended_issue(client, fx, args)
            else:
                make_request, expected = simple[name]
                result = run_load(name, client, make_request, requests=args.requests,
                                  seconds=args.seconds, concurrency=args.concurrency,
                                  expected=expected)
            # The 1-minute load average after the scenario: well above the
            # gunicorn workers' share means something else competed for the CPU.
            result["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
            results.append(result)
            if result["errors"]:
                ok = False

        ledger_code, ledger_out = flask_command(env, "check-ledger", timeout=600)
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

    contended = next((r for r in results if r["scenario"] == "contended_issue"), None)
    if contended and not (contended["check"]["on_hand_ok"] and contended["check"]["sold_ok"]):
        ok = False

    print()
    print(f"Inventory API bench {started_at:%Y-%m-%d %H:%M} UTC - {redact(url).split(':')[0]} "
          f"({'large' if args.large else 'small'} seed), gunicorn {args.workers} x "
          f"{args.worker_class} (threads {args.threads}), client concurrency "
          f"{args.concurrency}, bounds {args.requests} requests / {args.seconds:g} s, "
          f"load average before {load_before[0]:.2f}")
    print_table(results)
    if contended:
        c = contended["check"]
        print(f"contended_issue: received {c['stock_received']}, 201 = {c['issued_201']}, "
              f"409 = {c['refused_409']}, on_hand after = {c['on_hand_after']} (expected "
              f"{c['on_hand_expected']}): {'OK' if c['on_hand_ok'] and c['sold_ok'] else 'WRONG'}")
    print(f"check-ledger: exit {ledger_code} - {ledger_out.splitlines()[-1] if ledger_out else ''}")

    report = {
        "started_at": started_at.isoformat(),
        "git_commit": git_commit(),
        "database": redact(url) if not url.startswith("sqlite") else "sqlite (temporary file)",
        "seed": "large" if args.large else "small",
        "seed_seconds": seed_seconds,
        "gunicorn": {"workers": args.workers, "worker_class": args.worker_class,
                     "threads": args.threads},
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
    if args.keep:
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
