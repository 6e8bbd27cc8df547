"""Production mode refuses insecure defaults; the embedded mode starts with none set."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "SECRET_KEY", "DATABASE_URL", "DEBUG"}
    }
    clean.update(
        PYTHONPATH=str(SRC),
        DJANGO_SETTINGS_MODULE="passculture.settings",
        PASSCULTURE_VAR=str(tmp_path),
        **env,
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_insecure_defaults(tmp_path):
    result = start({"PASSCULTURE_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "Démarrage en production refusé" in result.stderr
    for problem in [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL doit désigner une base PostgreSQL",
    ]:
        assert problem in result.stderr


def test_production_starts_with_secure_settings(tmp_path):
    result = start(
        {"PASSCULTURE_ENV": "production", "SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": "pass.exemple.fr",
         "DATABASE_URL": "postgres://app@127.0.0.1:5432/passculture"},
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_embedded_mode_generates_and_keeps_a_secret_key(tmp_path):
    assert start({"PASSCULTURE_ENV": "embedded"}, tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert start({"PASSCULTURE_ENV": "embedded"}, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
