"""Configuration read from the environment, and nothing else.

Every setting a deployer can change is listed in ``ENVIRONMENT`` with its default and
meaning; the README's table and a test are generated from / checked against it, so
documentation cannot drift from the code.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str
    help: str


ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar("ISOC_DATA_DIR", "./var", "Folder for the SQLite database, secret key, uploaded and generated files, and the outgoing mail folder."),
    EnvVar("DATABASE_URL", "sqlite:///$ISOC_DATA_DIR/isoc.sqlite3", "Database to use, e.g. postgres://user:pass@127.0.0.1:5432/isoc."),
    EnvVar("ISOC_DEBUG", "1", "1 for development (debug pages, relaxed security); 0 for production settings."),
    EnvVar("ISOC_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names the site answers to."),
    EnvVar("ISOC_SITE_URL", "http://127.0.0.1:8000", "Public base URL, used in emails and absolute links."),
    EnvVar("DJANGO_SECRET_KEY", "(generated into $ISOC_DATA_DIR/secret_key)", "Secret key; generated on first run when unset, never committed."),
    EnvVar("ISOC_EMAIL_HOST", "", "SMTP server; when empty, mail is written as files into $ISOC_DATA_DIR/mail."),
    EnvVar("ISOC_EMAIL_PORT", "587", "SMTP port."),
    EnvVar("ISOC_EMAIL_USER", "", "SMTP user name."),
    EnvVar("ISOC_EMAIL_PASSWORD", "", "SMTP password."),
    EnvVar("ISOC_EMAIL_USE_TLS", "1", "1 to use STARTTLS with SMTP."),
    EnvVar("ISOC_EMAIL_FROM", "Internet Society <noreply@localhost>", "From address of outgoing mail."),
    EnvVar("ISOC_BROKER_URL", "", "Job broker (e.g. redis://127.0.0.1:6379/0): commands enqueue their bulk work for `isoc worker` processes; when empty, tasks run in the calling process."),
    EnvVar("CELERY_BROKER_URL", "", "Older name of ISOC_BROKER_URL, still read when ISOC_BROKER_URL is unset."),
    EnvVar("ISOC_RESULT_BACKEND", "", "Where task results are kept for the commands that wait on them; empty: the broker when it is Redis."),
    EnvVar("ISOC_BROKER_VISIBILITY_TIMEOUT", "3600", "Seconds before Redis hands the unfinished task of a lost worker to another; keep it above ISOC_TASK_TIME_LIMIT."),
    EnvVar("ISOC_TASK_TIME_LIMIT", "3000", "Seconds a task may run before its worker process is killed (a soft limit at 90% lets it stop cleanly first)."),
    EnvVar("ISOC_SECURE_PROXY", "0", "1 when behind a TLS-terminating proxy that sets X-Forwarded-Proto."),
    EnvVar("ISOC_CACHE_URL", "", "Redis URL of the cache shared by every process: public pages, rate limits, lockouts, one-time codes (e.g. redis://127.0.0.1:6379/1); when empty, files in $ISOC_DATA_DIR/cache with production settings, memory per process in development."),
    EnvVar("ISOC_PUBLIC_CACHE", "", "1 or 0 to switch the public page cache on or off; when empty, on with production settings (ISOC_DEBUG=0)."),
    EnvVar("ISOC_BENCH", "0", "1 to expose the bare comparison view used by bench/web.py."),
    EnvVar("ISOC_LOG_FORMAT", "text", "Log format: text (readable, for `make run`) or json (one object per line with the request id; for production)."),
    EnvVar("ISOC_METRICS_TOKEN", "", "Bearer token that opens /metrics to non-loopback clients; empty: /metrics answers only loopback."),
    EnvVar("ISOC_STAFF_2FA", "1", "1 requires staff to sign in with a second factor (TOTP app) and sends staff without one to enrol; 0 turns that off (development only)."),
    EnvVar("ISOC_TRUST_WEIGHTS", "", "Weights file (TOML or JSON) of the Online Trust Audit; empty: the default shipped in isoc/trust/weights.toml."),
)


def env(name: str, default: str | None = None) -> str:
    """The value of environment variable ``name``, or its documented default."""
    if default is None:
        default = next(v.default for v in ENVIRONMENT if v.name == name)
    return os.environ.get(name, default)


def env_flag(name: str) -> bool:
    return env(name).strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    path = Path(env("ISOC_DATA_DIR")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(folder: Path) -> str:
    """The secret key: from the environment, else from the data folder (made on first run)."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    key_file = folder / "secret_key"
    if not key_file.exists():
        # Written with O_EXCL so two processes starting at once cannot each write a key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()
