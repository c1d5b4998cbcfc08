"""The register page's filters, shared by the page, its exports and the worker's export job."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from ansinh.core import personal
from ansinh.core.params import text_param
from ansinh.core.scoping import scoped
from ansinh.core.text import fold

from .models import Person, SIStatus
from .prospects import prospect_q


def filtered_persons(user: Any, params: Mapping[str, Any], on: date) -> QuerySet[Person]:
    """The persons of `user`'s territory that the register page's filters `params` select
    (q: a name, place or ID; commune; village; status; prospect=1)."""
    persons = scoped(user, Person.objects.all())
    query = fold(text_param(params.get("q")))
    if query:
        if query.replace(" ", "").isdigit():
            digits = query.replace(" ", "")
            persons = persons.filter(personal.digits_match(
                user, digits, ids=("national_id", "si_number"), phones=("phone",)))
        else:
            persons = persons.filter(
                Q(name_folded__contains=query)
                | Q(village__name_folded__contains=query)
                | Q(village__commune__name_folded__contains=query)
            )
    if commune := params.get("commune"):
        persons = persons.filter(village__commune__code=commune)
    if village := params.get("village"):
        persons = persons.filter(village__code=village)
    if (status := params.get("status")) in SIStatus.values:
        persons = persons.filter(si_status=status)
    if params.get("prospect") == "1":
        persons = persons.filter(prospect_q(on))
    return persons
