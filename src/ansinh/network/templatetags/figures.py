"""Counts in the page's language: 3229 -> "3.229" (vi), "3,229" (en); the filter is core's
`money.num`."""

from __future__ import annotations

from django import template

from ansinh.core.templatetags.money import num

register = template.Library()
register.filter("num", num)
