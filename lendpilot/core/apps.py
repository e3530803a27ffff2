from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lendpilot.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from lendpilot.core.health import register_db_collector, scheduler_heartbeat_age, task_queue_depth

        register_db_collector(task_queue_depth)
        register_db_collector(scheduler_heartbeat_age)
