"""Print the row count of every table of the project's apps, one `table count` per line.

.ci/run compares the output before and after a second `make setup`: a re-run must not change it."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402

for app in ("core", "boundaries", "gazetteer", "tiles"):
    for model in apps.get_app_config(app).get_models():
        print(f"{model._meta.db_table} {model.objects.count()}")
