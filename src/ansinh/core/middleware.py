from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django_htmx.middleware import HtmxDetails


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


class HtmxHttpRequest(HttpRequest):
    """A request as our views see it: django-htmx's middleware adds `htmx`."""

    htmx: HtmxDetails
