"""Configuration read from the environment (12-factor).

Every setting has an environment variable of the same name; a `.env` file in
the project root is loaded first for local use. `APP_ENV` picks the class:
`development` (default), `testing` or `production`.
"""

import os
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

DEFAULT_SECRET = "dev-secret-change-me"
DEFAULT_JWT_SECRET = "dev-jwt-secret-change-me-at-least-32-bytes"


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _int(name, default):
    return int(_env(name, default))


def _bool(name, default):
    return str(_env(name, default)).strip().lower() in ("1", "true", "yes", "on")


def _sqlite_default():
    instance = BASE_DIR / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'inventory.db'}"


class Config:
    APP_ENV = "development"
    SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET)
    JWT_SECRET_KEY = _env("JWT_SECRET_KEY", DEFAULT_JWT_SECRET)
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_int("ACCESS_TOKEN_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_int("REFRESH_TOKEN_DAYS", 30))
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "message"
    BCRYPT_ROUNDS = _int("BCRYPT_ROUNDS", 12)
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    CORS_ORIGINS = [o.strip() for o in _env("CORS_ORIGINS", "").split(",") if o.strip()]

    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL") or _sqlite_default()
    # Connections per worker process (docs/operations.md, "Database tuning"): a
    # sync worker uses one, a gthread worker up to its thread count.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": _bool("DB_POOL_PRE_PING", True),
        "pool_size": _int("DB_POOL_SIZE", 5),
        "max_overflow": _int("DB_MAX_OVERFLOW", 5),
        "pool_recycle": _int("DB_POOL_RECYCLE_SECONDS", 3600),
    }
    # with pre-ping on, ping only a connection idle in the pool this long (0: every
    # checkout); inventory_api/common/pool.py
    DB_POOL_PING_IDLE_SECONDS = _int("DB_POOL_PING_IDLE_SECONDS", 1)
    # reports read through this engine when set (a read replica of the primary)
    REPORTS_DATABASE_URL = _env("REPORTS_DATABASE_URL")
    # where the business's days start (IANA name): date filters, reports, aging
    BUSINESS_TIMEZONE = _env("BUSINESS_TIMEZONE", "UTC")

    # flask-limiter. The default keeps the counters in a SQLite file in the
    # instance folder, shared by every worker process of this machine
    # (inventory_api/common/ratelimit.py); `redis://host:6379/0` shares them
    # between machines; `memory://` is per process (tests only).
    RATELIMIT_STORAGE_URI = _env(
        "RATELIMIT_STORAGE_URI", f"sqlitefile://{BASE_DIR / 'instance' / 'ratelimit.sqlite'}"
    )
    RATELIMIT_HEADERS_ENABLED = True
    # failed logins per (IP, email) and per IP; also wrong current passwords
    # (per user and per IP) and failed registrations (per IP)
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    # every registration, successful or not, per IP
    REGISTER_RATE_LIMIT = _env("REGISTER_RATE_LIMIT", "60 per minute")

    # customer orders: the store of an order that names none (default: the active
    # store with the lowest id) and when `expire-orders` cancels a pending one
    DEFAULT_ORDER_STORE_ID = _env("DEFAULT_ORDER_STORE_ID")
    ORDER_EXPIRY_HOURS = _env("ORDER_EXPIRY_HOURS", "72")

    # e-mail for `flask low-stock-report --email` (inventory_api/ops/mail.py checks
    # them when sending, so a mistake here fails that command, not the API).
    # SMTP_PORT defaults to 465 with SMTP_SSL, 587 with SMTP_STARTTLS, else 25.
    SMTP_HOST = _env("SMTP_HOST")
    SMTP_PORT = _env("SMTP_PORT")
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    SMTP_SSL = _bool("SMTP_SSL", False)
    SMTP_FROM = _env("SMTP_FROM")
    SMTP_TIMEOUT = _env("SMTP_TIMEOUT", "30")  # seconds

    # flask-smorest / OpenAPI
    API_TITLE = "Inventory API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
    PROPAGATE_EXCEPTIONS = False


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    BCRYPT_ROUNDS = 4
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite:///:memory:")
    RATELIMIT_STORAGE_URI = "memory://"
    SMTP_HOST = None  # tests never mail a real server; they start their own


class ProductionConfig(Config):
    APP_ENV = "production"

    @classmethod
    def validate(cls):
        problems = []
        if cls.SECRET_KEY == DEFAULT_SECRET:
            problems.append("SECRET_KEY")
        if cls.JWT_SECRET_KEY == DEFAULT_JWT_SECRET:
            problems.append("JWT_SECRET_KEY")
        if problems:
            raise RuntimeError(
                "Refusing to start in production with default secrets: " + ", ".join(problems)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    name = name or _env("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown APP_ENV {name!r}; use one of {sorted(CONFIGS)}") from None

