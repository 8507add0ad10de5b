"""Django settings. Every value that differs between machines comes from the environment; the
variables are listed, with their defaults, in .env.example at the top of the checkout."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from config import geoenv

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    """An environment variable; set-but-empty counts as unset (as in .env.example)."""
    return os.environ.get(name) or default


VAR_DIR = Path(_env("MDJ_VAR_DIR", str(BASE_DIR / "var")))

_geo = geoenv.configure()
GDAL_LIBRARY_PATH = _geo.gdal_library
GEOS_LIBRARY_PATH = _geo.geos_library


def _env_bool(name: str, default: bool = False) -> bool:
    return _env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


def _local_env() -> dict[str, str]:
    """var/local.env, written by scripts/pg_cluster.sh for the project-local cluster."""
    path = VAR_DIR / "local.env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into the git-ignored var/ folder."""
    if _env("SECRET_KEY"):
        return _env("SECRET_KEY")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "core",
    "accounts",
    "boundaries",
    "gazetteer",
    "tiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.auth.TokenAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.i18n.portal_context",
            ],
        },
    },
]

_database_url = _env("DATABASE_URL") or _local_env().get("DATABASE_URL")
if not _database_url:
    raise RuntimeError(
        "No database configured: set DATABASE_URL (postgis://user:pass@host:port/name) "
        "or run 'make setup' to create the project-local PostGIS cluster."
    )
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# One test database per test process, so that parallel test runs on one cluster never collide.
DATABASES["default"]["TEST"] = {"NAME": _env("MDJ_TEST_DB_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "web" / "static",
    # Only the files pages load, copied from node_modules by the set-up (scripts/setup.sh):
    # collecting whole npm packages would compress thousands of module files nobody requests.
    ("vendor", BASE_DIR / "web" / "vendor"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# Security. HTTPS-only settings (HSTS, SSL redirect, secure cookies) are switched on by setting
# HTTPS=1 behind a TLS-terminating proxy; see README.md, "Deploying behind HTTPS".
_https = _env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = _https
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.api.csrf_failure"

# Where source packages are downloaded once and kept, so that a re-run needs no network.
PACKAGE_CACHE_DIR = BASE_DIR / _env("MDJ_PACKAGE_CACHE", ".cache/packages")
BACKUP_DIR = BASE_DIR / _env("MDJ_BACKUP_DIR", "backups")
# Uploaded files (naming-application attachments) live outside the checkout's tracked files.
MEDIA_ROOT = BASE_DIR / _env("MDJ_MEDIA_DIR", "var/media")
MEDIA_URL = "/media/"
# Uploads: JSON bodies and imported files larger than this are refused with a clear error.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = int(_env("MDJ_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))

# Naming rules that vary by city: configuration, not code.
# Anonymous API use: requests a minute per client (0 switches the limit off); trust X-Forwarded-For
# only behind your own proxy.
RATE_LIMIT_PER_MINUTE = int(_env("MDJ_RATE_LIMIT_PER_MINUTE", "300"))
RATE_LIMIT_TRUST_FORWARDED = _env_bool("MDJ_RATE_LIMIT_TRUST_FORWARDED", False)

# How the published register names itself (citations, notices), and the default approving authority.
GAZETTEER_PUBLISHER = _env("MDJ_PUBLISHER", "牡丹江市民政局 标准地名库")
GAZETTEER_URL = _env("MDJ_PUBLIC_URL", "http://127.0.0.1:8000")
# The licence of the bureau's own records (those with no outside source), in open data and exports.
GAZETTEER_LICENCE = _env("MDJ_RECORD_LICENCE", "标准地名公开信息 official place-name record of the publisher")
NAMING_AUTHORITY = _env("MDJ_NAMING_AUTHORITY", "牡丹江市人民政府")
NAMING_MAX_LENGTH = int(_env("MDJ_NAMING_MAX_LENGTH", "12"))
NAMING_NOTICE_DAYS = int(_env("MDJ_NAMING_NOTICE_DAYS", "30"))

# Licences: geometry whose source grants no open licence stays out of open data unless enabled.
OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY = _env_bool("OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO (notices, print sheets); fontTools every subset.
    "loggers": {name: {"level": "WARNING"} for name in ("django.db.backends", "weasyprint", "fontTools")},
}

# The public portal's maps draw only the system's own data. A base map is optional: an XYZ tile URL
# template ({z}/{x}/{y}) of a tile server the bureau runs or licenses, with its attribution line.
PORTAL_BASEMAP_URL = _env("PORTAL_BASEMAP_URL", "")
PORTAL_BASEMAP_ATTRIBUTION = _env("PORTAL_BASEMAP_ATTRIBUTION", "")

# The territory this installation keeps: a prefecture-level code (GB/T 2260). Mudanjiang by default.
TERRITORY_CODE = _env("MDJ_TERRITORY", "231000")

# Print maps (tiles/printing). The map approval number (审图号) public maps must carry once the
# surveying authority has reviewed them; empty: the sheets say 未送审 (not submitted for review).
MAP_APPROVAL_NUMBER = _env("MDJ_MAP_APPROVAL_NUMBER")
MAP_PUBLISHER = _env("MDJ_MAP_PUBLISHER", "牡丹江市民政局")
# Rendered maps are written under MEDIA_ROOT/<MAP_OUTPUT_DIR>/ and downloaded through the print page.
MAP_OUTPUT_DIR = "maps"

# Background jobs (core/jobs.py): kind -> the function that runs it. The worker is
# `manage.py run_worker`; scripts/serve.sh starts one beside the web server unless MDJ_WORKER=0.
JOB_HANDLERS = {"render_map": "tiles.printing.jobs.run_render_map"}
# A running job whose worker has not reported for this long is taken as abandoned and failed.
JOB_STALE_AFTER_SECONDS = int(_env("MDJ_JOB_STALE_AFTER_SECONDS", "900"))
JOB_POLL_SECONDS = float(_env("MDJ_JOB_POLL_SECONDS", "1.0"))
