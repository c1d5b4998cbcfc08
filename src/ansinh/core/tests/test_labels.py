"""Every radio button and checkbox of every page has its own label: tapping a word selects that
option and no other (the calculator's one <label> around both sex radios gave men women's
retirement age). Every page of the URL conf a role can open is rendered and read."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import NoReverseMatch, reverse

from .labels import label_problems
from .matrix import Persona, Where, url_names
from .matrix_world import NOW, World
from .test_write_matrix import CASES, matrix_world  # noqa: F401  (the module's world)

OLD_CALCULATOR_SEX = (
    '<label class="radios">Giới tính <span class="row">'
    '<span class="radio"><input type="radio" name="sex" value="F" id="id_sex_0"> Nữ</span>'
    '<span class="radio"><input type="radio" name="sex" value="M" id="id_sex_1"> Nam</span>'
    "</span></label>")


def test_one_label_around_two_radios_is_found() -> None:
    assert any("holds 2 controls" in p for p in label_problems(OLD_CALCULATOR_SEX))
    assert label_problems('<input type="checkbox" name="x">') == [
        '<input type="checkbox" name="x"> has no label']


class Choices(forms.Form):
    sex = forms.ChoiceField(label="Giới tính", choices=[("F", "Nữ"), ("M", "Nam")],
                            widget=forms.RadioSelect)
    partners = forms.MultipleChoiceField(label="Đơn vị", choices=[("a", "A"), ("b", "B")],
                                         widget=forms.CheckboxSelectMultiple)
    agree = forms.BooleanField(label="Đồng ý")
    name = forms.CharField(label="Tên")


@pytest.mark.parametrize("template", ["core/_field.html", "calculator/_field.html",
                                      "outreach/_field.html"])
def test_the_shared_field_gives_each_option_its_own_label(template: str) -> None:
    form = Choices()
    for bound in form:
        html = render_to_string(template, {"field": bound})
        assert label_problems(html) == [], (bound.name, html)
    radios = render_to_string(template, {"field": form["sex"]})
    assert radios.count("<label") == 2 and "<legend>Giới tính</legend>" in radios


def _paths(world: World) -> tuple[list[str], list[str]]:
    """Every page of the URL conf with the arguments of the write matrix's own-commune record;
    those that need arguments no case gives are returned apart (named in the failure)."""
    place = world.places[Where.OWN]
    by_url = {case.url: case for case in CASES}
    paths, unreached = [], []
    for name in url_names():
        if name.startswith("admin:") or "<" in name or name in ("logout", "set_language"):
            continue
        case = by_url.get(name)
        try:
            path = reverse(name, kwargs=case.kwargs(place)) + case.query(place) if case \
                else reverse(name)
        except NoReverseMatch:
            unreached.append(name)
            continue
        paths.append(path)
    return sorted(set(paths)), unreached


@pytest.mark.parametrize("persona", [Persona.DIRECTOR, Persona.AGENT, Persona.STAFF])
def test_every_page_gives_each_control_its_own_label(matrix_world: World, db: None,  # noqa: F811
                                                      persona: Persona) -> None:
    paths, unreached = _paths(matrix_world)
    client = Client(raise_request_exception=False)
    client.force_login(matrix_world.users[persona])
    read, found = 0, {}
    with time_machine.travel(NOW, tick=False):
        for path in paths:
            response: Any = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            read += 1
            problems = label_problems(response.content.decode())
            if problems:
                found[path] = problems
    assert read >= 30, f"only {read} pages read; not reached: {unreached}"
    assert not found, "\n".join(f"{path}: {p}" for path, ps in found.items() for p in ps)
