"""Profile one write or read scenario in-process (Flask's test client, cProfile).

    DATABASE_URL=mysql+pymysql://inventory:inventory@127.0.0.1:3306/inventory_bench \\
        .venv/bin/python bench/cprofile_scenario.py transfer --requests 300

The database is emptied and rebuilt (every table dropped, then created from
the models), seeded with `seed-demo --size small`; then the scenario runs
`--requests` times after `--warmup` unprofiled runs, once more unprofiled
(timed), then `--requests` times profiled. It prints, per request: wall time
(with and without the profiler), statements and time inside the DBAPI's `execute`, then cProfile's
top functions by own time and by cumulative time. No HTTP server: this shows
where the Python goes, `bench/run.py` what the whole stack serves.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from inventory_api import create_app  # noqa: E402
from inventory_api.extensions import db  # noqa: E402

PASSWORD = "profile-password"


def build(url):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    runner = app.test_cli_runner()
    for args in (["create-admin", "--email", "profile@example.com", "--password", PASSWORD],
                 ["seed-demo", "--size", "small"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            sys.exit(f"{' '.join(args)} failed: {result.output}")
    return app


def call(client, headers, method, path, body=None, expect=(200, 201)):
    response = client.open(path, method=method, json=body, headers=headers)
    if response.status_code not in expect:
        sys.exit(f"{method} {path} -> {response.status_code}: {response.get_data(True)[:400]}")
    return response.get_json()


def scenarios(client, headers):
    stores = [s["id"] for s in call(client, headers, "GET", "/api/v1/stores?page_size=5")]
    a, b = stores[:2]

    def product(label, price="2.50", **fields):
        return call(client, headers, "POST", "/api/v1/products", {
            "sku": f"PROFILE-{label}-{time.time_ns()}", "name": f"Profile {label}",
            "price": price, **fields})["id"]

    def receive(product_id, store_id, quantity=100_000):
        call(client, headers, "POST", "/api/v1/movements", {
            "type": "receipt", "product_id": product_id, "store_id": store_id,
            "quantity": str(quantity), "unit_cost": "1.00"})

    hot = product("HOT")
    receive(hot, a)
    receive(hot, b)
    sale_products = [product(f"SALE{n}", price) for n, price in
                     enumerate(("1.20", "3.45", "9.99"), start=1)]
    for p in sale_products:
        receive(p, b)
    categories = call(client, headers, "GET", "/api/v1/categories?page_size=100")
    top = next(c["id"] for c in categories if c.get("parent_id") is None)
    filtered = f"/api/v1/products?category_id={top}&min_price=1&max_price=500&page_size=20"
    # a full page of 20, as in bench/run.py's data sets (the small seed matches fewer)
    for n in range(20 - len(call(client, headers, "GET", filtered))):
        product(f"PAGE{n}", f"{10 + n}.00", category_id=top, description="A full page.")

    def transfer(i):
        source, target = (a, b) if i % 2 == 0 else (b, a)
        call(client, headers, "POST", "/api/v1/transfers", {
            "from_store_id": source, "to_store_id": target,
            "lines": [{"product_id": hot, "quantity": "1"}], "notes": "profile"})

    def sale(i):
        call(client, headers, "POST", "/api/v1/sales", {
            "store_id": b, "payment_method": "cash",
            "lines": [{"product_id": p, "quantity": "1"} for p in sale_products]})

    def detail(i):
        call(client, headers, "GET", f"/api/v1/products/{hot}")

    def products_filtered(i):
        call(client, headers, "GET", filtered)

    def health(i):
        call(client, {}, "GET", "/health")

    return {"transfer": transfer, "sale": sale, "product_detail": detail,
            "products_filtered": products_filtered, "health": health}


def print_timings(app, run, requests):
    """Per statement of one request (by its place in the request), the mean time from
    handing it to the driver to its result, over `requests` more requests."""
    with app.app_context():
        engine = db.engine
    times, texts, current = {}, {}, []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["timing_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        current.append((statement, time.perf_counter() - conn.info.pop("timing_t0")))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for i in range(requests):
            current.clear()
            run(i)
            for place, (statement, seconds) in enumerate(current, start=1):
                times.setdefault(place, []).append(seconds)
                texts.setdefault(place, " ".join(statement.split())[:90])
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    total = 0.0
    for place in sorted(times):
        mean = sum(times[place]) / len(times[place]) * 1000
        total += mean * len(times[place]) / requests
        print(f"{place:3} {mean:6.3f} ms  {texts[place]}")
    print(f"    {total:6.3f} ms in all per request (without COMMIT)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true",
                        help="stop after the timed unprofiled run (for py-spy)")
    parser.add_argument("--timings", action="store_true",
                        help="print each statement's mean time (driver call to result)")
    parser.add_argument("--statements", action="store_true",
                        help="also print the statements of one more request")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL must name a database this may empty")
    app = build(url)
    client = app.test_client()
    token = call(client, {}, "POST", "/api/v1/auth/login",
                 {"email": "profile@example.com", "password": PASSWORD})["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    run = scenarios(client, headers).get(args.scenario)
    if run is None:
        sys.exit(f"unknown scenario {args.scenario}")
    for i in range(args.warmup):
        run(i)
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(args.requests):
        run(i)
    plain = (time.perf_counter() - started) / args.requests
    cpu = (time.process_time() - cpu) / args.requests
    print(f"{args.scenario}: {plain * 1000:.2f} ms per request without the profiler"
          f" ({cpu * 1000:.2f} ms of it this process's CPU)")
    if args.timings:
        print_timings(app, run, args.requests)
    if args.no_profile:  # e.g. under a sampling profiler: py-spy record -- python ...
        return
    stats = {"statements": 0, "execute_s": 0.0}
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["profile_t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        stats["statements"] += 1
        stats["execute_s"] += time.perf_counter() - conn.info.pop("profile_t0")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(args.requests):
        run(i)
    profiler.disable()
    wall = time.perf_counter() - started
    n = args.requests
    print(f"{args.scenario}: {n} requests, {wall / n * 1000:.2f} ms each (profiled), "
          f"{stats['statements'] / n:.1f} statements, "
          f"{stats['execute_s'] / n * 1000:.2f} ms in execute")
    if args.statements:
        seen = []
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: seen.append(statement))
        run(n)
        for number, statement in enumerate(seen, start=1):
            print(f"-- {number}\n{statement}")
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
