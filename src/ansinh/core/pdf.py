"""PDF downloads: a template rendered to HTML, then to PDF by WeasyPrint (fonts-noto-core)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def pdf_bytes(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """`template` rendered with `context` as a PDF; links and images resolve against the site."""
    from weasyprint import HTML  # a heavy import that only PDFs need

    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return bytes(HTML(string=html, base_url=base_url).write_pdf())


def pdf_response(request: HttpRequest | None, template: str, context: dict[str, Any],
                 filename: str) -> HttpResponse:
    """The PDF shown in the browser (inline), saved as `filename` (without .pdf)."""
    response = HttpResponse(pdf_bytes(template, context, request),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response
