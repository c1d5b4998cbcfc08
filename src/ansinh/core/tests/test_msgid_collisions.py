"""Our msgids are Vietnamese, and no Vietnamese catalogue of ours exists: on a Vietnamese page
a msgid is shown as written, unless another Vietnamese catalogue (Django's, a contrib or
third-party app's) translates the same msgid. Then "Thu" (collect) becomes "Thứ 5" (Thursday).
A short or English-looking msgid needs a context (`pgettext`, `{% translate … context … %}`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, pgettext

import ansinh

from .catalogue import foreign_vietnamese, our_entries

ROOT = Path(ansinh.__file__).parent


def test_no_msgid_of_ours_is_translated_by_another_vietnamese_catalogue() -> None:
    foreign = foreign_vietnamese()
    assert "Thu" in foreign, "the check must see Django's own Vietnamese catalogue"
    collisions = [
        f"{entry.msgid!r} (English: {entry.msgstr!r}) is translated by "
        f"{'/'.join(foreign[entry.msgid].parts[-6:])}: give it a context"
        for entry in our_entries()
        if entry.context is None and entry.msgid in foreign
    ]
    assert not collisions, "\n".join(collisions)


def test_collect_is_not_thursday_on_a_vietnamese_page() -> None:
    with translation.override("vi"):
        assert gettext("Thu") == "Thứ 5"  # Django's: why the context is needed
        assert pgettext("thu tiền", "Thu") == "Thu"


# msgids written in the code, found without makemessages (a page added since the catalogue was
# last extracted): `{% translate "…" %}` without a context, `_("…")` / `gettext("…")`.
_TEMPLATE_MSGID = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]+)"(?P<rest>[^%]*)%}')
_PYTHON_MSGID = re.compile(r'\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*"([^"]+)"\s*[,)]')


def code_msgids() -> Iterator[tuple[str, str]]:
    """(where, msgid) of every msgid without a context written in our templates and modules."""
    for path in sorted(ROOT.rglob("*")):
        if "tests" in path.parts or "migrations" in path.parts or not path.is_file():
            continue
        if path.suffix == ".html":
            for match in _TEMPLATE_MSGID.finditer(path.read_text(encoding="utf-8")):
                if "context" not in match.group("rest"):
                    yield str(path.relative_to(ROOT)), match.group(1)
        elif path.suffix == ".py":
            for match in _PYTHON_MSGID.finditer(path.read_text(encoding="utf-8")):
                yield str(path.relative_to(ROOT)), match.group(1)


def test_no_msgid_in_the_code_is_translated_by_another_vietnamese_catalogue() -> None:
    foreign = foreign_vietnamese()
    found = list(code_msgids())
    assert len(found) > 500, "the scan must see the code's msgids"
    collisions = [f"{where}: {msgid!r} needs a context (pgettext, translate … context …)"
                  for where, msgid in found if msgid in foreign]
    assert not collisions, "\n".join(collisions)
