"""The register download: xlsx for people (IDs and phones as text, so Excel keeps their
leading 0), CSV for other programs."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from ansinh.registry.exporting import template_headers
from ansinh.registry.models import Person


def test_the_register_downloads_as_xlsx_with_ids_and_phones_as_text(
    client: Client, director: Any
) -> None:
    person = Person.objects.order_by("id").first()
    assert person is not None
    Person.objects.filter(pk=person.pk).update(national_id="046012345678", phone="0912345678")
    client.force_login(director)
    page = client.get("/so-doi-tuong/").content.decode()
    assert 'href="/so-doi-tuong/xuat.xlsx?' in page and "CSV (cho phần mềm khác)" in page
    response = client.get("/so-doi-tuong/xuat.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="so-doi-tuong.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == template_headers()
    id_column = template_headers().index("Số định danh cá nhân")
    phone_column = template_headers().index("Số điện thoại")
    row = next(row for row in rows[1:] if row[id_column].value == "046012345678")
    for cell in (row[id_column], row[phone_column]):
        assert cell.data_type == "s" and cell.number_format == "@"
    assert row[phone_column].value == "0912345678"
    assert len(rows) - 1 == Person.objects.count()
