"""The price cache never hands back a price computed under other parameters.

It used to be keyed by `id(tree)`: once a tree is freed Python may give its id to the next one,
so after an office changed an override a stale price could come back. It is keyed by a digest of
the tree's values now.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ansinh.collection.pricing import price_months
from ansinh.participation.schedule import TermsRow
from ansinh.participation.subsidy import Facts
from ansinh.policy import Override, ParameterTree, Reference, load_default_tree

ON = date(2026, 3, 10)
MONTH = date(2026, 3, 1)
TERMS = [TermsRow(MONTH, 3_000_000, "monthly")]
FACTS = Facts(ethnic_minority=False, island=False)


def _tree_with_rate(rate: str) -> ParameterTree:
    return load_default_tree().with_overrides([Override(
        name="contribution.rate", start=date(2026, 1, 1), value=Decimal(rate),
        reference=Reference("QĐ thử nghiệm", "Điều 1"))])


def test_equal_trees_share_a_key_and_different_ones_never_do() -> None:
    assert _tree_with_rate("0.22").key == _tree_with_rate("0.22").key
    assert _tree_with_rate("0.22").key != _tree_with_rate("0.25").key
    assert load_default_tree().key != _tree_with_rate("0.25").key


def test_a_freed_trees_price_never_comes_back() -> None:
    cheaper, dearer = _tree_with_rate("0.22"), _tree_with_rate("0.25")
    old = ParameterTree(cheaper.parameters, "files", cheaper.overrides)
    old_price = price_months([MONTH], ON, terms=TERMS, facts=FACTS, supported_before=0,
                             tree=old)
    old_id = id(old)
    del old  # the office's overrides changed: the tree in force is rebuilt
    # CPython hands a freed object's id to a later one of its size: keep building trees (each
    # held, so the search moves on) until one gets it
    held = []
    for _attempt in range(100_000):
        new = ParameterTree(dearer.parameters, "files", dearer.overrides)
        if id(new) == old_id:
            break
        held.append(new)
    assert id(new) == old_id
    price = price_months([MONTH], ON, terms=TERMS, facts=FACTS, supported_before=0, tree=new)
    assert old_price.gross == 660_000  # 22 % of 3,000,000
    assert price.gross == 750_000  # 25 %, not the freed tree's price
