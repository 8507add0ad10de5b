"""Who may make print maps: the bureau's staff (any role: cartographer, officer, approver, administrator).
The public reads the web map and its tiles, which need no permission."""

from __future__ import annotations

from gazetteer.permissions import roles


def may_make_maps(user) -> bool:
    return bool(roles(user))
