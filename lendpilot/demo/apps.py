from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lendpilot.demo"
    label = "demo"
    verbose_name = "Demo bank"
