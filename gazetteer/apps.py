from django.apps import AppConfig


class GazetteerConfig(AppConfig):
    name = "gazetteer"
    verbose_name = "地名 Place names"
