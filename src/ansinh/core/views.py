"""The project's own pages: the sign-in page and `/`, both sending a user where their work is
(`landing.landing_url`)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from .landing import landing_url


class SignIn(auth_views.LoginView):
    """Django's sign-in; without a `next` of this site, the user's role decides."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(landing_url(
        request.user, request.GET.get("next"), host=request.get_host(),
        secure=request.is_secure()))
