"""Markdown tables from bench/results/*.json, runs side by side.

    .venv/bin/python bench/report.py bench/results/A.json bench/results/B.json ...

One row per scenario, one column per run: req/s, p50 / p99 ms and the share
of the same run's `/health`. The header names each run's database, data set
size, gunicorn workers and commit. Standard library only.
"""

import json
import sys
from pathlib import Path


def label(run):
    database = run["database"].split("+")[0].split(":")[0]
    database = {"mysql": "MariaDB", "postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(
        database, database)
    g = run["gunicorn"]
    workers = f"{g['workers']}×{g['worker_class']}" + (
        f"×{g['threads']}t" if g["worker_class"] == "gthread" else "")
    fixtures = run.get("fixtures", {})
    products = run.get("products") or fixtures.get("total_products", 0)
    movements = run.get("movements") or fixtures.get("total_movements", 0)
    return f"{database} {products:,} p / {movements:,} m, {workers}"


def cell(scenario):
    latency = scenario["latency_ms"]
    return (f"{scenario['req_per_s']:.0f} ({latency['p50']:.0f} / {latency['p99']:.0f}) "
            f"{scenario['ratio_to_health'] * 100:.1f}%")


def main(paths):
    runs = [json.loads(Path(path).read_text()) for path in paths]
    names = []
    for run in runs:
        for scenario in run["scenarios"]:
            if scenario["scenario"] not in names:
                names.append(scenario["scenario"])
    print("| scenario | " + " | ".join(label(run) for run in runs) + " |")
    print("| --- |" + " --- |" * len(runs))
    for name in names:
        cells = []
        for run in runs:
            found = [s for s in run["scenarios"] if s["scenario"] == name]
            cells.append(cell(found[0]) if found else "–")
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    commits = sorted({run["git_commit"] for run in runs})
    print(f"\nCommit(s): {', '.join(commits)}; every run: "
          + ", ".join(f"check-ledger exit {run['check_ledger_exit']}" for run in runs))


if __name__ == "__main__":
    main(sys.argv[1:])
