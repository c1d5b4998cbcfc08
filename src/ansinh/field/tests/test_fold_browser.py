"""The phone searches its copy of the register with the server's folding: the JavaScript fold of
the field app gives, for every name the demo makes and for hard cases, what `core.text.fold`
gives (the `name_folded` the download carries)."""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

import pytest

from ansinh.core.tests.browser import sign_in
from ansinh.core.text import fold
from ansinh.demo import names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HARD = ["Đặng Thị Ánh", "NGUYỄN VĂN ĐỨC", "  Hồ   Văn\tTâm ", "Kê Ưng", "Zơ Râm Bhriu",
        "Ra Pát Thị Rưl", "A Viết Lợi", "Quỳnh Thị Mỹ", "Huỳnh Ngọc Ẩn", "Lê Thị Ỷ",
        "Phạm Thị Ỵ", "Ðoàn Văn Ơn",  # Ð (U+00D0) looks like Đ but is another letter
        unicodedata.normalize("NFD", "Nguyễn Thị Hường"), "Trương Vĩnh Ký", "Ông Ích Khiêm"]


def _names() -> list[str]:
    out = list(HARD)
    for pool in (names.KINH, names.TA_OI, names.CO_TU, names.PA_HY):
        for surname, given in itertools.product(pool["surnames"],
                                                pool["given_M"] + pool["given_F"]):
            out.append(f"{surname} {given}")
    return out


def test_the_phone_folds_names_as_the_server_does(phone_page: Any, live_server: Any,
                                                 agent_al3: Any) -> None:
    sign_in(phone_page, live_server.url, agent_al3.username)
    phone_page.goto(f"{live_server.url}/thuc-dia/")
    phone_page.wait_for_function("() => window.AnsinhStore")
    given = _names()
    folded = phone_page.evaluate("(names) => names.map(AnsinhStore.fold)", given)
    wrong = [(name, js, fold(name)) for name, js in zip(given, folded, strict=True)
             if js != fold(name)]
    assert not wrong, wrong[:10]
    assert len(given) > 300
