from __future__ import annotations

import pytest

from ansinh.policy import ParameterTree, load_default_tree


@pytest.fixture(scope="session")
def tree() -> ParameterTree:
    return load_default_tree()
