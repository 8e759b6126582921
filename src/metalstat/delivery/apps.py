from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "metalstat.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        from metalstat.delivery import schedule
        from metalstat.releases.signals import release_timed

        release_timed.connect(schedule.on_release_timed, dispatch_uid="delivery.schedule")
