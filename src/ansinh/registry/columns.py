"""The register's file template: one list of columns shared by import, export and the blank
template, so the three can never drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from ansinh.core.text import fold


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Vietnamese header written by export and the template
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", ("ho ten", "name", "full name")),
    Column("birth_date", "Ngày sinh", ("nam sinh", "date of birth", "birth date", "dob")),
    Column("sex", "Giới tính", ("gioi", "gender")),
    Column("national_id", "Số định danh cá nhân",
           ("so cccd", "cccd", "so dinh danh", "national id", "id number")),
    Column("si_number", "Mã số BHXH", ("ma bhxh", "so bhxh", "si number")),
    Column("ethnicity", "Dân tộc", ("ethnic group",)),
    Column("phone", "Số điện thoại", ("dien thoai", "sdt", "phone number")),
    Column("household_code", "Mã hộ", ("ma ho gia dinh", "household", "household code")),
    Column("village", "Thôn", ("thon/ban", "ban", "village name")),
    Column("commune", "Xã", ("xa/phuong", "phuong", "commune name")),
    Column("poverty_status", "Hộ nghèo/cận nghèo",
           ("ho ngheo", "ho ngheo/can ngheo", "poverty", "poverty status")),
    Column("si_status", "Tình trạng BHXH", ("tinh trang", "si status", "status")),
)
REQUIRED = ("full_name", "birth_date", "sex", "village", "commune")


def header_index() -> dict[str, str]:
    """Folded header or alias → column key (keys themselves are accepted too)."""
    index: dict[str, str] = {}
    for column in COLUMNS:
        index[fold(column.header)] = column.key
        index[column.key] = column.key
        index[column.key.replace("_", " ")] = column.key
        for alias in column.aliases:
            index[fold(alias)] = column.key
    return index
