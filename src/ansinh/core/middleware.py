from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from .errors import Refused
from .params import BadParameter
from .permissions import refusal_status


def vietnamese_first(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[
        [HttpRequest], HttpResponse]:
    """Vietnamese unless the user chose English with the switch (the language cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: most phones in
    the field are set to English, yet their owners read Vietnamese.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


# what gzip shrinks: pages, JSON, scripts, stylesheets, SVG
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for what compresses. Downloads that are compressed already (an
    xlsx is a zip; PDFs, images) go as they are: gzip would cost the server time for nothing
    and drop their Content-Length, which a phone's progress bar reads."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase
                         ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class PageCSPMiddleware(CSPMiddleware):
    """django-csp's header (settings.CONTENT_SECURITY_POLICY) on every answer but a PDF: the
    browser's PDF viewer runs its own scripts and styles inside the PDF's document, and a
    policy on the PDF response can leave it blank. A PDF runs nothing of ours."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase
                         ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)


class RefusalMiddleware:
    """A refusal that no view turned into a form error (an action refused: the role, the
    territory, a rule) becomes a page with its reason in the user's language: 403 for who may
    do what, 400 for the rest. Nothing was written: the action's transaction rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (name := _bad_parameter(request)) is not None:
            # PostgreSQL stores no NUL byte, and no page has a use for one: refused here, once,
            # rather than in every view that passes a parameter on to a query
            refusal = BadParameter(name)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": [{"item": None, "loc": ["query", name],
                                                 "msg": str(refusal)}]}, status=422)
            return render(request, "core/refused.html", {"reason": refusal.message},
                          status=400)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        if not isinstance(exception, Refused):
            return None
        return render(request, "core/refused.html", {"reason": exception.message},
                      status=refusal_status(exception))


def _bad_parameter(request: HttpRequest) -> str | None:
    """The name of the first query (or form-encoded body) parameter holding a NUL byte, or of
    a parameter no page can answer."""
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "") or "?"
    if request.GET.get("_to_field", None) == "":
        return "_to_field"  # Django's admin takes an empty one for a field named "" (a 500)
    return None


class HtmxHttpRequest(HttpRequest):
    """A request as our views see it: django-htmx's middleware adds `htmx`."""

    htmx: HtmxDetails
