from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "lendpilot.talent"
    verbose_name = "Talent"
