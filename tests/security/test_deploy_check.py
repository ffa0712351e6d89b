"""`check --deploy` with production settings reports nothing, not even a warning."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ISOC_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "isoc.site.settings",
        "PYTHONPATH": os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
        "ISOC_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "ISOC_DATA_DIR": str(tmp_path),
        "ISOC_ALLOWED_HOSTS": "isoc.example.org",
        "ISOC_SITE_URL": "https://isoc.example.org",
    })
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
