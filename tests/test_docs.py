"""The documentation lives in the repository and stays true.

* docs/erd.md is exactly what `flask --app wsgi er-diagram` generates from the
  models, so a new table (or column) cannot be missing from the diagram;
* no file points outside the repository (the contract and design notes the
  project started from are not part of a clone);
* every relative link in README.md and docs/*.md reaches a file (and a
  heading, for `#anchor` links).
"""

import re
import subprocess
from pathlib import Path

from inventory_api.erd import COMMAND, er_diagram_markdown
from inventory_api.extensions import db

ROOT = Path(__file__).resolve().parent.parent
ERD = ROOT / "docs" / "erd.md"

# Built from pieces so that this file does not match its own patterns.
OUTSIDE = re.compile(
    r"\.\./" + "shared"
    + r"|\bshared/"
    + r"|\b(?:" + "|".join(["API", "DESIGN", "STYLE", "STACK"]) + r")\.md\b"
)
SKIPPED_DIRS = {".git", ".venv", "instance", "node_modules", "__pycache__", ".pytest_cache",
                ".ruff_cache"}


def repository_files():
    """Paths of the files a clone has (tracked, plus new ones not yet committed)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.splitlines()
        files = [ROOT / name for name in listed]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        files = [path for path in ROOT.rglob("*")
                 if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)]
    return [path for path in files if path.is_file()]


def markdown_files():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_erd_is_generated_from_the_models():
    assert ERD.exists(), f"docs/erd.md is missing: run {COMMAND}"
    assert ERD.read_text(encoding="utf-8") == er_diagram_markdown(), f"run {COMMAND}"


def test_erd_shows_every_table_and_every_foreign_key():
    text = ERD.read_text(encoding="utf-8")
    assert db.metadata.tables, "no model registered"
    for table in db.metadata.tables.values():
        assert re.search(rf"^    {re.escape(table.name)} \{{$", text, re.M), (
            f"table {table.name} is not in docs/erd.md: run {COMMAND}")
        for column in table.columns:
            assert re.search(rf"^        \S+ {re.escape(column.name)}\b", text, re.M)
            for fk in column.foreign_keys:
                line = f'{fk.column.table.name} '
                assert re.search(
                    rf'^    {re.escape(line)}\S+ {re.escape(table.name)} : "{column.name}"$',
                    text, re.M), f"{table.name}.{column.name} -> {fk.target_fullname} not drawn"


def test_erd_generator_follows_a_new_table():
    """A table defined here, with a foreign key to products, shows up with its relationship."""
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, UniqueConstraint

    metadata = MetaData()
    Table("products", metadata, Column("id", Integer, primary_key=True),
          Column("sku", String(64), unique=True))
    Table("widgets", metadata, Column("id", Integer, primary_key=True),
          Column("product_id", ForeignKey("products.id"), nullable=False),
          Column("note", String(20)), UniqueConstraint("product_id", "note"))
    text = er_diagram_markdown(metadata)
    assert "    widgets {\n        integer id PK\n" in text
    assert '        integer product_id FK "to products.id"\n' in text
    assert '        varchar(20) note "null"\n' in text
    assert '        varchar(64) sku UK "null"\n' in text
    assert '    products ||--o{ widgets : "product_id"\n' in text
    assert "| `widgets` | (id) | (product_id, note) | - |" in text
    assert "2 tables." in text


def test_er_diagram_command_writes_checks_and_fails_cleanly(runner, tmp_path):
    target = tmp_path / "erd.md"
    stale = runner.invoke(args=["er-diagram", "--output", str(target), "--check"])
    assert stale.exit_code == 1
    assert f"out of date; run {COMMAND}" in stale.output

    written = runner.invoke(args=["er-diagram", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == er_diagram_markdown()

    fresh = runner.invoke(args=["er-diagram", "--output", str(target), "--check"])
    assert fresh.exit_code == 0 and "up to date" in fresh.output

    printed = runner.invoke(args=["er-diagram"])
    assert printed.exit_code == 0 and printed.stdout == er_diagram_markdown()

    unwritable = runner.invoke(args=["er-diagram", "--output", str(tmp_path / "no" / "x.md")])
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.output


def test_nothing_points_outside_the_repository():
    offenders = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # binary file
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "files refer to documents outside the repository:\n" + "\n".join(
        offenders)


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def heading_anchors(text):
    """GitHub's anchors for the headings of a Markdown text (code blocks skipped)."""
    anchors, fenced = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            title = re.sub(r"[^\w\- ]", "", title)
            anchors.add(title.replace(" ", "-"))
    return anchors


def test_relative_markdown_links_resolve():
    broken = []
    for page in markdown_files():
        text = page.read_text(encoding="utf-8")
        for target in LINK.findall(re.sub(r"```.*?```", "", text, flags=re.S)):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / file_part).resolve() if file_part else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(
                    linked.read_text(encoding="utf-8")):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
            elif not str(linked).startswith(str(ROOT)):
                broken.append(f"{page.relative_to(ROOT)}: {target} (outside the repository)")
    assert not broken, "broken links:\n" + "\n".join(broken)


API_GUIDE = ROOT / "docs" / "api.md"
ROLE_ORDER = ("customer", "employee", "manager", "admin")


def test_permission_table_is_the_one_in_permissions_py():
    from inventory_api.auth.permissions import PERMISSIONS

    documented = {}
    header = "| permission | " + " | ".join(ROLE_ORDER) + " |"
    text = API_GUIDE.read_text(encoding="utf-8")
    assert header in text, "docs/api.md lost its role x permission table"
    for name, cells in re.findall(r"^\| `([a-z_]+(?::[a-z_]+)?)` \|(.*)\|$", text, re.M):
        marks = [cell.strip() for cell in cells.split("|")]
        if len(marks) == len(ROLE_ORDER):
            documented[name] = {role for role, mark in zip(ROLE_ORDER, marks, strict=True)
                                if mark == "✓"}
    expected = {}
    for role, permissions in PERMISSIONS.items():
        for permission in permissions:
            expected.setdefault(permission, set()).add(role)
    assert documented == expected


def _required_permissions(func):
    """The permissions `@require(...)` was given on a view, or None when it has none."""
    seen = set()
    while func is not None and id(func) not in seen:
        seen.add(id(func))
        code = getattr(func, "__code__", None)
        if code is not None and "permissions" in code.co_freevars:
            return set(func.__closure__[code.co_freevars.index("permissions")].cell_contents)
        func = getattr(func, "__wrapped__", None)
    return None


def test_endpoint_permission_table_matches_the_routes(app):
    routes = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            func = getattr(view_class, method.lower()) if view_class else view
            routes[(method, path)] = _required_permissions(func)

    documented = {}
    text = API_GUIDE.read_text(encoding="utf-8")
    header = "| method | path | permission |\n"
    assert header in text, "docs/api.md lost its endpoint -> permission table"
    table = text.split(header, 1)[1].split("\n\n", 1)[0]
    for method, path, cell in re.findall(
            r"^\| (GET|POST|PUT|PATCH|DELETE) \| `(/[^`]*)` \| ([^|]*) \|$", table, re.M):
        names = set(re.findall(r"`([^`]+)`", cell))
        documented[(method, path)] = names or None

    assert set(documented) == set(routes), (
        "endpoints missing from docs/api.md: "
        f"{sorted(set(routes) - set(documented))}; documented but absent: "
        f"{sorted(set(documented) - set(routes))}")
    wrong = {key: (documented[key], routes[key]) for key in routes
             if documented[key] != routes[key]}
    assert not wrong, f"(documented, real) permissions differ: {wrong}"
