"""The gazetteer in the admin: place records and categories (places), their import and export (io),
naming applications (naming). Django's admin autodiscovery imports this package; importing each
module registers its admins."""

from gazetteer.admin import addresses, io, naming, numbering_requests, places, sign_surveys, signs  # noqa: F401 (registers the admins)
