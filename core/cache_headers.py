"""Cache headers that keep one person's answer out of another person's cache.

Every response whose content can depend on who asks gets ``Vary: Cookie, Authorization`` (the session
and the API token are how a request says who it is), and every response to an authenticated request
gets ``Cache-Control: private`` (its other directives, such as no-store or no-cache, stay), so that a
shared cache (the bureau's proxy, a CDN) never hands staff data to someone else.

Static files and the vector tiles are the same for everyone (tiles/views.py reads no user) and are
meant to be cached by shared caches: they get neither, and lose a ``Vary: Cookie`` that reading the
session elsewhere (the rate limit's "is this staff?") may have added. Static files are answered by
WhiteNoise before this middleware, except a missing one."""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers

# Paths whose answers are the same for every user; a path added here must never read request.user.
SHARED_PATHS = ("/tiles/",)
# ... except the staff's tiles, which depend on who asks (tiles/views.py staff_tile): private.
PRIVATE_PATHS = ("/tiles/staff/",)
WHO_ASKS = ("Cookie", "Authorization")


def shared(path: str) -> bool:
    return path.startswith((settings.STATIC_URL, *SHARED_PATHS)) and not path.startswith(PRIVATE_PATHS)


def authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def drop_vary(response, headers: tuple[str, ...]) -> None:
    if not response.has_header("Vary"):
        return
    dropped = {header.lower() for header in headers}
    kept = [field for field in cc_delim_re.split(response["Vary"]) if field and field.lower() not in dropped]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


class PrivateResponseMiddleware:
    """Placed outside the session and authentication middleware (settings.MIDDLEWARE), so that it sees
    the final Vary and every response, including those other middleware answer early."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if shared(request.path_info):
            drop_vary(response, WHO_ASKS)
            return response
        patch_vary_headers(response, WHO_ASKS)
        if authenticated(request):
            patch_cache_control(response, private=True)
        return response
