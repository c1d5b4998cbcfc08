"""Every date a form takes is bounded to the calendar the app computes in (1900–2100): a year
9999 posted to any form is a form error in the page's language, never a server error."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from django import forms

import ansinh
from ansinh.core.fields import DateField


def _forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(ansinh.__path__, "ansinh."):
        # (benchmarks and load tests are programs, not part of the app: importing one may
        # patch the standard library, as locust does)
        if ".tests" in module.name or ".migrations" in module.name or module.name.endswith(
                ("bench", "cli", "wsgi", "settings", "settings_test", "scale_generate")):
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    stack: list[type[forms.BaseForm]] = [forms.Form, forms.ModelForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("ansinh."):
                found.append(sub)
    return found


def test_every_date_field_of_every_form_is_bounded() -> None:
    loose = [f"{form.__module__}.{form.__name__}.{name}"
             for form in _forms() for name, field in getattr(form, "base_fields", {}).items()
             if isinstance(field, forms.DateField) and not isinstance(field, DateField)
             and not any(getattr(v, "__name__", "") == "within_calendar"
                         for v in field.validators)]
    assert not loose, "use ansinh.core.fields.DateField: " + ", ".join(loose)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)])
def test_a_date_outside_the_calendar_is_a_form_error(day: date) -> None:
    field = DateField()
    with pytest.raises(forms.ValidationError):
        field.clean(day.isoformat())
    assert field.clean("2026-12-02") == date(2026, 12, 2)
