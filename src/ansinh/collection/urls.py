"""Money pages (urls_money) and commission pages (urls_commission) under /thu/."""

from __future__ import annotations

from .urls_commission import urlpatterns as commission_patterns
from .urls_money import urlpatterns as money_patterns

app_name = "collection"
urlpatterns = [*money_patterns, *commission_patterns]
