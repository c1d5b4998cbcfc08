"""The test suite's settings: ansinh.settings with the static files served as the apps hold
them (no collectstatic before every run, and a browser test sees the CSS it was written
against). Set in the environment, so a server a test starts in another process does the same.
The manifest path itself is tested by core/tests/test_page_weight.py, which collects."""

from __future__ import annotations

import os

os.environ["ANSINH_MANIFEST_STATIC"] = "false"

from .settings import *  # noqa: F403
