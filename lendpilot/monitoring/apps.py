from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "lendpilot.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from lendpilot.core.health import register_db_collector
        from lendpilot.monitoring.metrics import eod_stage_durations

        register_db_collector(eod_stage_durations)
