"""The staff's inbox: what awaits each person (a step of a naming application, a comment to answer;
later boundary proposals, inspection tasks, production orders), newest first, and how many (the
count in the header of every admin page, web/templates/admin/base_site.html).

core knows no app: an app registers the providers of its items from its AppConfig.ready(), by dotted
path (``inbox.register("gazetteer.inbox.naming_steps")``), as core.reports and core.changesets do. A
provider is a ``Provider``: ``items(user)`` lists what awaits the user, ``count(user)`` says how many
and is asked on every admin page, so it costs at most one query. Each provider decides from its own
app's rights who waits for what; a user it has nothing for gets nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Item:
    kind: str  # the kind of record, bilingual: "命名申请 Naming application"
    title: str  # the record's number and name
    awaited: str  # the step in words, bilingual: "送审 Send for review"
    since: dt.datetime  # when it started waiting (aware)
    url: str  # the admin page where the step is taken
    county: str = ""  # the name of the county it belongs to, if any


@dataclass(frozen=True)
class Provider:
    name: str  # for messages and tests: "naming steps"
    items: Callable[[object], Iterable[Item]]  # (user) -> what awaits the user
    count: Callable[[object], int]  # (user) -> how many: one query at most


_registered: list[str] = []


def register(*dotted_paths: str) -> None:
    """Add providers (dotted paths of Provider objects); a path registered again is still one."""
    for path in dotted_paths:
        if path not in _registered:
            _registered.append(path)


def providers() -> list[Provider]:
    return [import_string(path) for path in _registered]


def _present(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def items_for(user) -> list[Item]:
    """Everything awaiting the user, newest first."""
    if not _present(user):
        return []
    found = [item for provider in providers() for item in provider.items(user)]
    return sorted(found, key=lambda item: item.since, reverse=True)


def count_for(user) -> int:
    """How many items await the user: one query per provider at most."""
    if not _present(user):
        return 0
    return sum(provider.count(user) for provider in providers())
