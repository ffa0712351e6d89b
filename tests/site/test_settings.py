"""Production settings pass Django's deployment checklist; configuration is from the
environment only; the secret key is generated, not committed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _django(args: list[str], env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ISOC_", "DJANGO_", "DATABASE_URL"))}
    env.update({"ISOC_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "isoc.site.settings", **env_extra})
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = _django(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        {"ISOC_DEBUG": "0", "ISOC_ALLOWED_HOSTS": "isoc.example.org", "ISOC_SITE_URL": "https://isoc.example.org"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_flags_development_settings(tmp_path):
    """The check above can fail: with debug on it reports issues."""
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], {"ISOC_DEBUG": "1"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG" in result.stderr + result.stdout


def test_secret_key_is_generated_once_into_the_data_folder(tmp_path):
    from isoc.site.config import secret_key

    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0, "the key file must not be readable by others"


def test_secret_key_is_not_in_the_repository():
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith("secret_key")]


def test_database_url_selects_postgresql(tmp_path):
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "ISOC_DATA_DIR": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "isoc.site.settings", "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/isocdb"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "isocdb"]


def test_smtp_is_used_when_configured(tmp_path):
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "ISOC_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "isoc.site.settings",
             "ISOC_EMAIL_HOST": "smtp.example.org", "ISOC_EMAIL_PORT": "2525"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", "2525"]
