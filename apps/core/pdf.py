"""HTML to PDF with WeasyPrint, offline: nothing is fetched from the network while rendering.

Fonts come from the system (fontconfig: Noto Sans CJK for Chinese) and are embedded, subset, in
the PDF. Stylesheets and charts belong inline in the HTML (a <style> block, inline SVG); a
resource the page still points at is refused unless it is a data: URL, so a report never waits
on, or leaks to, another server.
"""

import logging

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("data",)


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


def html_to_pdf(html: str, *, fetcher: OfflineFetcher | None = None) -> bytes:
    """The PDF of an HTML document (its own CSS decides the page size, margins and numbers)."""
    fetcher = fetcher or OfflineFetcher()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
