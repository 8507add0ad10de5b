"""Settings come from the environment; defaults are safe; the SRIDs are named once."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from core import srid

ROOT = Path(__file__).resolve().parent.parent
HTTPS_CHECKS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    environment.pop("DEBUG", None) if "DEBUG" not in env else None
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_debug_is_off_unless_asked():
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    assert run_python(code).stdout.strip() == "False"
    assert run_python(code, DEBUG="1").stdout.strip() == "True"


def test_deploy_check_is_clean_apart_from_https_items():
    env = {**os.environ}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = set(re.findall(r"\((security\.\w+)\)", result.stdout + result.stderr))
    assert found <= HTTPS_CHECKS, result.stdout + result.stderr
    https = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**env, "HTTPS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security." not in https.stdout + https.stderr, https.stdout + https.stderr


def test_secret_key_is_generated_once_into_the_var_folder(tmp_path):
    shutil.copy(ROOT / "var" / "local.env", tmp_path / "local.env")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_python(code, MDJ_VAR_DIR=str(tmp_path), SECRET_KEY="")
    second = run_python(code, MDJ_VAR_DIR=str(tmp_path), SECRET_KEY="")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert run_python(code, MDJ_VAR_DIR=str(tmp_path), SECRET_KEY="from-env").stdout.strip() == "from-env"


def test_every_environment_variable_is_listed_in_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    python_sources = [ROOT / "config" / "settings.py", ROOT / "config" / "geoenv.py"]
    used = set()
    for path in python_sources:
        text = path.read_text()
        used |= set(re.findall(r'_env(?:_bool|_list)?\("([A-Z0-9_]+)"', text))
        used |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', text))
    for script in (ROOT / "scripts").glob("*.sh"):
        used |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", script.read_text()))
    used -= {"PROJ_NETWORK", "PG_BIN", "PYTHON"}  # internal: set, not read from the user
    assert used <= listed, sorted(used - listed)


def test_coordinate_systems_are_named_once():
    assert (srid.STORAGE_SRID, srid.API_SRID, srid.TILE_SRID, srid.METRIC_SRID) == (4490, 4326, 3857, 4511)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if (
            any(part in {".venv", "tests", "migrations", "node_modules"} for part in path.parts)
            or path.name == "srid.py"
        ):
            continue
        if re.search(r"\b(4490|4326|3857|4511)\b", path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
