"""Start-up checks of the deployment (run by runserver, migrate and `ansinh check`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def static_manifest(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With hashed static names (the default) the pages need collectstatic's manifest: without
    it every page fails to name its stylesheet. A warning, not an error, so that migrate and
    collectstatic itself still run before it exists."""
    if not getattr(settings, "MANIFEST_STATIC", False):
        return []
    if (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        return []
    return [Warning(
        f"The static files are not collected into {settings.STATIC_ROOT}: pages will fail.",
        hint="Run `ansinh collectstatic --noinput` (`ansinh demo` does), or set "
             "ANSINH_MANIFEST_STATIC=false to serve them uncollected.",
        id="ansinh.W001")]
