"""The refusal every place rule raises; the API answers it with a 400 and its reason, the admin and
the file import show it where the officer acted."""


class PlaceRuleError(ValueError):
    """A change the rules do not allow (e.g. an unknown category, a name left empty)."""
