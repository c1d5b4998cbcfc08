"""Our msgids are Vietnamese, and no Vietnamese catalogue of ours exists: on a Vietnamese page
a msgid is shown as written, unless another Vietnamese catalogue (Django's, a contrib or
third-party app's) translates the same msgid. Then "Thu" (collect) becomes "Thứ 5" (Thursday).
A short or English-looking msgid needs a context (`pgettext`, `{% translate … context … %}`)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext, pgettext

from .catalogue import foreign_vietnamese, our_entries


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
