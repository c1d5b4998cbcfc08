"""Reading a page's query string: small typed readers that give the page's default for a value
that is missing, malformed or out of range, so no parameter a person (or a robot) types can
reach the database or the calendar arithmetic as something they cannot hold.

- dates between 1900-01-01 and 2100-12-31 (a year 1 or 9999 makes the arithmetic of periods and
  months leave Python's calendar);
- integers within bounds (a record number fits a BIGINT; 99999999999999999999 does not);
- text without NUL bytes (PostgreSQL stores none) and within a length;
- a choice among known values;
- a `next` address of this site only.

Where a page cannot default, `BadParameter` is a refusal: RefusalMiddleware answers 400 with
the reason in the user's language.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import Refused

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
BIGINT = 2**63 - 1
MAX_TEXT = 200


class BadParameter(Refused):
    """A query parameter the page cannot do without, malformed: 400 with its name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Tham số không hợp lệ: {name}", f"Invalid parameter: {name}")


def sane_date(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def date_param(value: str | None, default: date) -> date:
    """A YYYY-MM-DD date between 1900 and 2100, or `default`."""
    if not value or "\x00" in value or len(value) > 10:
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return default
    return day if sane_date(day) else default


def int_param(value: str | None, default: int | None = None, *, low: int = -BIGINT,
              high: int = BIGINT) -> int | None:
    """A whole number (digits, an optional minus) between `low` and `high`, or `default`."""
    if not value or len(value) > 20:
        return default
    text = value.strip()
    if not text.lstrip("-").isdecimal() or not text.lstrip("-").isascii():
        return default
    number = int(text)
    return number if low <= number <= high else default


def id_param(value: str | None) -> int | None:
    """A record number (a positive BIGINT), or None."""
    return int_param(value, None, low=1)


def text_param(value: str | None, default: str = "", *, max_length: int = MAX_TEXT) -> str:
    """Free text without NUL bytes, cut to `max_length` characters."""
    if value is None:
        return default
    return value.replace("\x00", "")[:max_length]


def choice_param(value: str | None, choices: Collection[str], default: str) -> str:
    """One of `choices`, or `default`."""
    return value if value is not None and value in choices else default


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """`value` if it is an address of this site (a path, or this host with the request's
    scheme), else `default`: `?next=//evil.com` must not send a person elsewhere."""
    if value and "\x00" not in value and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return default


def month_param(value: str | None, default: date) -> date:
    """A month, YYYY-MM (or a day of it, YYYY-MM-DD), between 1900 and 2100, as its first
    day; or `default`."""
    if not value:
        return default
    day = date_param(value if len(value) > 7 else f"{value}-01", default)
    return day.replace(day=1) if day is not default else default
