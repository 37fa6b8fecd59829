# The API image: gunicorn over the Flask app, as a non-root user.
# Used by docker-compose.yml; runs `db upgrade` before serving.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 --user-group app

# `flask backup` / `restore` call the database's client tools (docker-compose's
# backup service); /backups is where that service's volume is mounted
RUN apt-get update \
    && apt-get install -y --no-install-recommends mariadb-client postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o app -g app /backups

COPY config.py wsgi.py gunicorn.conf.py ./
COPY inventory_api ./inventory_api
COPY migrations ./migrations

USER app

ENV APP_ENV=production
EXPOSE 8000

CMD ["sh", "-c", "flask --app wsgi db upgrade && exec gunicorn -c gunicorn.conf.py -b 0.0.0.0:8000 wsgi:app"]
