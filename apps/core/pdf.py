"""HTML to PDF with WeasyPrint, offline: nothing is fetched from the network while rendering.

Fonts come from the system (fontconfig: Noto Sans CJK for Chinese) and are embedded, subset, in
the PDF. Stylesheets and charts belong inline in the HTML (a <style> block, inline SVG); a
resource the page still points at is refused unless it is a data: URL, so a report never waits
on, or leaks to, another server.

WeasyPrint (with its fonts and CSS machinery, about a second) is imported on the first PDF, not
when the URLs load: otherwise every web worker's first request, whatever page it asks for,
would wait for it.
"""

import functools
import logging

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("data",)


@functools.cache
def _offline_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetchingError

    class OfflineFetcher(URLFetcher):
        """Serves data: URLs and refuses everything else (http, https, ftp, file)."""

        def __init__(self, **kwargs):
            super().__init__(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, **kwargs)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme not in ALLOWED_SCHEMES:
                self.refused.append(url)
                logger.warning("pdf: refused to fetch %s", url[:200])
                raise URLFetchingError(f"not fetched while rendering a PDF: {url[:200]}")
            return super().fetch(url, headers)

    OfflineFetcher.__module__ = __name__
    return OfflineFetcher


def __getattr__(name):
    if name == "OfflineFetcher":
        return _offline_fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    """The PDF of an HTML document (its own CSS decides the page size, margins and numbers).

    `fetcher`: an OfflineFetcher, to see afterwards what it refused; a new one by default."""
    from weasyprint import HTML

    fetcher = fetcher or _offline_fetcher_class()()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
