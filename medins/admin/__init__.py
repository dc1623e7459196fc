"""Admin for the registry, split by sub-domain; importing the package registers them all."""

from medins.admin import persons, reference, registry  # noqa: F401  (registers the models)
from medins.admin.base import LimitedInlineFormSet, ReadOnlyInline, ViewOnlyAdmin

__all__ = ["LimitedInlineFormSet", "ReadOnlyInline", "ViewOnlyAdmin"]
