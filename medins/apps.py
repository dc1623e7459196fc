from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedinsConfig(AppConfig):
    name = "medins"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from django.db.models import Field

        from medins.lookups import AnyOf

        Field.register_lookup(AnyOf)
