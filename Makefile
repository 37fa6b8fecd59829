# Two commands for a new user:
#   make run    install into .venv, migrate the embedded SQLite database, create
#               a demo admin, load demo data, serve on http://127.0.0.1:5000
#   make test   install into .venv and run the test suite with coverage of
#               inventory_api/ (per-file table; fails under the floor set in
#               pyproject.toml [tool.coverage.report] fail_under). SQLite by
#               default; TEST_DATABASE_URL=mysql+pymysql://... for MySQL/MariaDB,
#               TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL

VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi
DEMO_EMAIL ?= admin@example.com
DEMO_PASSWORD ?= admin-password

.PHONY: install run test lint bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) create-admin --email $(DEMO_EMAIL) --password $(DEMO_PASSWORD) --name "Demo Admin"
	$(FLASK) seed-demo --size small --if-empty
	@echo ""
	@echo "  API:   http://$${GUNICORN_BIND:-127.0.0.1:5000}/api/v1   docs: http://$${GUNICORN_BIND:-127.0.0.1:5000}/docs"
	@echo "  Admin: $(DEMO_EMAIL) / $(DEMO_PASSWORD)"
	@echo ""
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/pytest -q --cov=inventory_api --cov-report=term-missing:skip-covered

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
