"""Token authentication for API clients, next to Django's session authentication for pages.

A request with ``Authorization: Token <key>`` is authenticated as the token's user and is exempt from
CSRF (no cookie is involved); without the header, the session (with CSRF) applies."""

from __future__ import annotations

from django.utils import timezone
from django.utils.deprecation import MiddlewareMixin

from accounts.models import ApiToken


class InvalidToken(Exception):
    pass


def user_for_key(key: str):
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        raise InvalidToken
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


class TokenAuthenticationMiddleware(MiddlewareMixin):
    """Runs after AuthenticationMiddleware; a bad token is answered by the API views (401)."""

    def process_request(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        request.token_error = None
        if not header.startswith("Token "):
            return
        try:
            request.user = user_for_key(header.removeprefix("Token ").strip())
            request._dont_enforce_csrf_checks = True
        except InvalidToken:
            request.token_error = "invalid or revoked API token"  # noqa: S105 (a message, not a secret)
