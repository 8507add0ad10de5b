"""Summaries printed after a load (load_base_data): each app that loads base data adds its lines.

core knows no app: an app registers the function that writes its lines from its AppConfig.ready(),
by dotted path (``reports.register("boundaries.reports.unit_summary")``). The lines come in the order
the apps are installed.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

_registered: list[str] = []


def register(dotted_path: str) -> None:
    """Add a function () -> list[str] whose lines follow those of the apps registered before."""
    if dotted_path not in _registered:
        _registered.append(dotted_path)


def territory_summary() -> list[str]:
    lines = []
    for path in _registered:
        lines += import_string(path)()
    return lines
