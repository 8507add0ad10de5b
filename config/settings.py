"""Django settings. Every value that differs between machines comes from the environment; the
variables are listed, with their defaults, in .env.example at the top of the checkout."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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
    "csp",
    "axes",
    "core",
    "accounts",
    "boundaries",
    "gazetteer",
    "tiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the session middleware, so that it sees (and can correct) the Vary the session adds.
    "core.cache_headers.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.api_errors.ApiErrorMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.auth.TokenAuthenticationMiddleware",
    "core.ratelimit.RequestLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer (AXES_* below).
    "axes.middleware.AxesMiddleware",
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

# Login throttling (django-axes) on the admin's login form. A user name is locked for one client address
# (the same trusted-proxy rule as the rate limit, core.ratelimit.client_key) after AXES_FAILURE_LIMIT
# wrong passwords in a row, for AXES_COOLOFF_TIME counted from the last of them; other users at that
# address and the same user elsewhere are not affected, so one attacker behind the bureau's proxy
# cannot lock everyone out. A locked login gets 429 with the time to try again; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "accounts.auth.LoginThrottleBackend",  # django-axes' lockout check; it must come first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(_env("MDJ_LOGIN_FAILURE_LIMIT", "8"))
AXES_COOLOFF_TIME = timedelta(minutes=int(_env("MDJ_LOGIN_COOLOFF_MINUTES", "15")))
# Tries during a lockout do not extend it, so the time the lockout page gives is the true one.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.auth.login_client_address"
AXES_LOCKOUT_CALLABLE = "accounts.auth.lockout_response"
# No start-up banner in every command's output; failures are still logged with user name and address.
AXES_VERBOSE = False

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
# Anonymous use (core/ratelimit.py): requests a minute per client for each class of request (0 switches
# a limit off); staff are not limited.
# How stale a kept search answer may be (gazetteer.search.answers): 0 reads the index's generation per search.
SEARCH_REFRESH_SECONDS = float(_env("MDJ_SEARCH_REFRESH_SECONDS", "1"))
# How long a revoked API token or a deactivated user may still be let in by a process (accounts.auth).
CREDENTIALS_REFRESH_SECONDS = float(_env("MDJ_CREDENTIALS_REFRESH_SECONDS", "1"))
RATE_LIMIT_PER_MINUTE = int(_env("MDJ_RATE_LIMIT_PER_MINUTE", "300"))
TILE_RATE_LIMIT_PER_MINUTE = int(_env("MDJ_TILE_RATE_LIMIT_PER_MINUTE", "3000"))
BULK_RATE_LIMIT_PER_MINUTE = int(_env("MDJ_BULK_RATE_LIMIT_PER_MINUTE", "10"))
PAGE_RATE_LIMIT_PER_MINUTE = int(_env("MDJ_PAGE_RATE_LIMIT_PER_MINUTE", "300"))
# Comments left on a public notice's page (web.notices): posts a minute per client, counted by that view
# (every post, accepted or not), everyone included.
COMMENT_RATE_LIMIT_PER_MINUTE = int(_env("MDJ_COMMENT_RATE_LIMIT_PER_MINUTE", "3"))
# Addresses (or networks) of your own reverse proxies: only a connection from one of them may name the
# client in X-Forwarded-For. Empty: the connecting address is the client.
TRUSTED_PROXIES = _env_list("MDJ_TRUSTED_PROXIES", "")
# Heavy requests (bulk files, imports) one server process runs at once; one thread stays free for the
# rest (health checks, search).
HEAVY_REQUESTS_PER_PROCESS = max(1, int(_env("WEB_THREADS", "2")) - 1)

# How the published register names itself (citations, notices), and the default approving authority.
GAZETTEER_PUBLISHER = _env("MDJ_PUBLISHER", "牡丹江市民政局 标准地名库")
GAZETTEER_URL = _env("MDJ_PUBLIC_URL", "http://127.0.0.1:8000")
# The licence of the bureau's own records (those with no outside source), in open data and exports.
GAZETTEER_LICENCE = _env("MDJ_RECORD_LICENCE", "标准地名公开信息 official place-name record of the publisher")
NAMING_AUTHORITY = _env("MDJ_NAMING_AUTHORITY", "牡丹江市人民政府")
NAMING_MAX_LENGTH = int(_env("MDJ_NAMING_MAX_LENGTH", "12"))
NAMING_NOTICE_DAYS = int(_env("MDJ_NAMING_NOTICE_DAYS", "30"))
# The longest a notice may run, and how far ahead it may be set to start (days).
NAMING_NOTICE_MAX_DAYS = int(_env("MDJ_NAMING_NOTICE_MAX_DAYS", "90"))

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


def _csp_origin(url_template: str) -> list[str]:
    """The origin of an outside URL template as a CSP source (a {a-c} first label becomes *); a URL on
    this server ('self') needs none."""
    parts = urlsplit(url_template)
    if not parts.netloc:
        return []
    if parts.scheme not in ("http", "https"):
        raise RuntimeError(f"PORTAL_BASEMAP_URL must be an http(s) URL template, not {url_template!r}")
    first, _, rest = parts.netloc.rpartition("@")[2].partition(".")
    if "{" in rest:
        raise RuntimeError(f"PORTAL_BASEMAP_URL: only the host's first label may be a {{a-c}} pattern ({url_template})")
    return [f"{parts.scheme}://{'*' if '{' in first else first}.{rest}" if rest else f"{parts.scheme}://{first}"]


def _csp_style_hashes(template: Path) -> list[str]:
    """CSP sources that allow the fixed <style> blocks of a template rendered without a request, hence
    without a nonce. A block holding template code gets none (its text varies); the browser test fails."""
    text = template.read_text(encoding="utf-8") if template.is_file() else ""
    blocks = [block for block in re.findall(r"<style>(.*?)</style>", text, re.S) if not re.search("{[{%]", block)]
    digests = (base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() for block in blocks)
    return [f"'sha256-{digest}'" for digest in digests]


# Content-Security-Policy (django-csp 4) on every page: scripts and styles only from this server's own
# static files, nothing inline. Pages pass their data to scripts as data- attributes or JSON elements
# (json_script, not executed), never as inline script; the admin's map widget does the same
# (boundaries/templates/gis/offline_openlayers.html). Style attributes in markup are refused too: the
# scripts set styles through element.style (CSSOM), which a policy does not restrict.
# tests/test_csp.py visits every page in Chromium and fails on any violation; add new pages to its list.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The naming notice (gazetteer/templates/gazetteer/notice.html on the sheet notice_sheet.html) is one
        # self-contained document, also WeasyPrint's input for the PDF, rendered without a request: the
        # sheet's fixed <style> block is allowed by its hash, worked out here from the template, so an edit
        # to it needs nothing more.
        "style-src": ["'self'", *_csp_style_hashes(BASE_DIR / "gazetteer/templates/gazetteer/notice_sheet.html")],
        "img-src": ["'self'", "data:", "blob:", *_csp_origin(PORTAL_BASEMAP_URL)],
        "connect-src": ["'self'", *_csp_origin(PORTAL_BASEMAP_URL)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# The territory this installation keeps: a prefecture-level code (GB/T 2260). Mudanjiang by default.
TERRITORY_CODE = _env("MDJ_TERRITORY", "231000")

# Boundary markers (boundaries.services.markers_registry): a marker farther than this from its line, in
# metres, needs a stated reason (off_line_reason).
MARKER_LINE_TOLERANCE_M = float(_env("MDJ_MARKER_LINE_TOLERANCE_M", "50"))
# Joint inspections: a marker measured farther than this from its registered position has moved (it is
# restored to the registered spot); a finding's task is due this many days after the check.
MARKER_DISPLACEMENT_TOLERANCE_M = float(_env("MDJ_MARKER_DISPLACEMENT_TOLERANCE_M", "1.0"))
INSPECTION_TASK_DAYS = int(_env("MDJ_INSPECTION_TASK_DAYS", "90"))
# Photos (core.photos: boundary markers, inspection checks): a file larger than this is refused before
# it is decoded (413), and an image of more pixels than this is refused as a decompression bomb.
PHOTO_MAX_BYTES = int(_env("MDJ_PHOTO_MAX_BYTES", str(15 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(_env("MDJ_PHOTO_MAX_PIXELS", str(60_000_000)))

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

# House numbering (门牌编号): no national rule, so the city's rule is configuration (domain guide §1). A road
# may override each part (gazetteer.models_addresses.Road). "left"/"right" are seen facing the way the
# numbers increase. The defaults: east-west roads numbered from the west, north-south roads from the
# south; odd numbers on the left; one number per HOUSE_NUMBER_INTERVAL_M of frontage on each side, so
# open land keeps its spare numbers (预留备用号).
HOUSE_NUMBERING = {
    "east_west_from": _env("MDJ_NUMBERING_EAST_WEST_FROM", "west"),
    "north_south_from": _env("MDJ_NUMBERING_NORTH_SOUTH_FROM", "south"),
    "odd_side": _env("MDJ_NUMBERING_ODD_SIDE", "left"),
    "interval_m": float(_env("MDJ_NUMBERING_INTERVAL_M", "20")),
}

# Sign faces (gazetteer.signfaces: print-ready faces of 地名标志 and 门楼牌 for the sign makers). Sizes in mm;
# a kind may list variants (another size, and another layout where the standard gives one). Layouts:
# "bands" = GB 17733.1-1999 街牌/巷牌 and GB 17733-2008 B.13: upper 3/5 Chinese, lower 2/5 romanization;
# "plate" = 楼牌/门牌: left 3/5 the road or compound name (Chinese 3/5 over romanization 2/5 of the
# height), right 2/5 the number; "stacked" = GB 17733.1 小门牌: upper 2/5 name, lower 3/5 number.
# Quoted in the domain guide (names-addresses-books.md §2): place 1000x600 (小区 sign, GB 17733-2008 B.13,
# border <= 25 mm, 蓝底白字), building 900x500 (楼牌, B.16: number band 白底红字), house_plate 600x430 /
# 300x215 / 150x108 (青岛 大/中/小门牌, 蓝底白字); unit 360x150 and household 120x80 come from an
# unattributed list (no official basis). Our assumptions (the guide quotes none): road_name 1200x400,
# street 1000x400, lane 800x300, every border width and the blue (GB 2893's blue is not quoted; #0047ab).
_SIGN_BLUE, _SIGN_WHITE, _SIGN_RED = "#0047ab", "#ffffff", "#c8102e"
SIGN_FACES = {
    "font": {"file": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "family": "Noto Sans CJK SC Bold"},
    "qr_dark": _SIGN_BLUE,  # QR modules on a white square with a 4-module quiet zone
    "kinds": {
        "road_name": {"width_mm": 1200, "height_mm": 400, "layout": "bands", "border_mm": 12},
        "street": {"width_mm": 1000, "height_mm": 400, "layout": "bands", "border_mm": 12},
        "lane": {"width_mm": 800, "height_mm": 300, "layout": "bands", "border_mm": 10},
        "place": {"width_mm": 1000, "height_mm": 600, "layout": "bands", "border_mm": 20},
        "building": {
            "width_mm": 900,
            "height_mm": 500,
            "layout": "plate",
            "border_mm": 12,
            "number_ground": _SIGN_WHITE,
            "number_ink": _SIGN_RED,
        },
        "house_plate": {
            "width_mm": 600,
            "height_mm": 430,
            "layout": "plate",
            "border_mm": 10,
            "variants": {
                "medium": {"width_mm": 300, "height_mm": 215, "border_mm": 5},
                "small": {"width_mm": 150, "height_mm": 108, "border_mm": 3, "layout": "stacked"},
            },
        },
        "unit": {"width_mm": 360, "height_mm": 150, "layout": "stacked", "border_mm": 5},
        "household": {"width_mm": 120, "height_mm": 80, "layout": "stacked", "border_mm": 3},
    },
    "ground": _SIGN_BLUE,
    "ink": _SIGN_WHITE,
}

# The authority that issues house numbers and their certificates (门牌证明): 民政 here; 公安 in some cities.
HOUSE_NUMBER_AUTHORITY = "牡丹江市民政局"
