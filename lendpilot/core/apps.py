from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lendpilot.core"
    label = "core"
    verbose_name = "Core"
