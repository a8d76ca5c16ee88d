"""Uploaded photos, served only to signed-in users and only as the image type they really are.

The content type comes from the file's bytes (Pillow), never from its name, so a file that is not
a JPEG, PNG or WebP image is not served at all: nothing uploaded can come back as HTML or script.
"""

import posixpath
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET
from PIL import Image, UnidentifiedImageError

# Pillow's format name -> content type. Uploads are limited to these (apps/projects/forms.py).
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def image_content_type(file) -> str | None:
    """The content type of an image file by its bytes, or None if it is not an allowed image."""
    try:
        with Image.open(file) as image:
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)
    return IMAGE_TYPES.get(kind)


@require_GET
def serve_media(request, path: str):
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised.startswith("..") or normalised != path or not normalised:
        raise Http404
    try:
        if not default_storage.exists(normalised):
            raise Http404
        file = default_storage.open(normalised, "rb")
    except (SuspiciousFileOperation, OSError, ValueError):
        raise Http404 from None
    content_type = image_content_type(file)
    if content_type is None:
        file.close()
        raise Http404
    response = FileResponse(
        file, content_type=content_type, as_attachment=False, filename=PurePosixPath(path).name
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Never let the browser treat the file as a page of its own, whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
