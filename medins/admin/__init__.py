"""Admin for the registry, split by sub-domain; importing the package registers them all."""

from medins.admin import hardening, persons, reference, registry  # noqa: F401  (registers them)
from medins.admin.base import LimitedInlineFormSet, ReadOnlyInline, ViewOnlyAdmin

__all__ = ["LimitedInlineFormSet", "ReadOnlyInline", "ViewOnlyAdmin"]
