"""The REST API: `/api/`, OpenAPI 3.1 at `/api/openapi.json`, docs at `/api/docs`.

Every endpoint reads through `core.scoping` and writes through the same actions as the pages,
so a phone, another system and a page meet the same rules. The routers live beside this module,
one per subject; docs/field-sync.md is the contract the field pages rely on.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError

from ansinh.core.errors import Refused
from ansinh.core.permissions import refusal_status, signed_in

from .auth import AUTH
from .devices import router as devices_router
from .policy import router as policy_router
from .sync import router as sync_router
from .territory import router as territory_router

api = NinjaAPI(
    title="ansinh API",
    version="1",
    description="BHXH tự nguyện: địa bàn, đồng bộ thực địa, biểu tính / voluntary social "
                "insurance: territory, field sync, calculator parameters.",
    auth=AUTH,
    urls_namespace="api",
)


api.add_router("/", policy_router)


@api.exception_handler(Refused)
def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=refusal_status(exc))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A malformed body: 422 with one entry per problem, naming the item of a sync body."""
    detail = []
    for error in exc.errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        item = None
        if "items" in loc and loc.index("items") + 1 < len(loc):
            following = loc[loc.index("items") + 1]
            item = following if isinstance(following, int) else None
        detail.append({"item": item, "loc": loc, "msg": str(error.get("msg", ""))})
    return api.create_response(request, {"detail": detail}, status=422)


class Me(Schema):
    username: str
    name: str
    role: str
    office: str | None
    device: str | None


@api.get("/me", response=Me, summary="Who is calling: the user and the device")
def me(request: HttpRequest) -> Me:
    user = signed_in(request)
    device = getattr(request, "device", None)
    return Me(username=user.get_username(), name=user.display_name, role=user.role,
              office=user.office.code if user.office is not None else None,
              device=device.name if device is not None else None)


api.add_router("", sync_router)
api.add_router("", territory_router)
api.add_router("", devices_router)
