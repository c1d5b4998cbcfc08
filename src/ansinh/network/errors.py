"""The network's refusals."""

from __future__ import annotations

from ansinh.core.errors import Refused


class NetworkError(Refused, ValueError):
    """A refused network change (targets, rewards, hand-over); nothing was written."""
