"""Uploaded photos: checked on the way in, then served only to signed-in users and only as the
image type they really are.

A photo is accepted only if Pillow reads it as a JPEG, PNG or WebP image no larger than
settings.UPLOAD_MAX_BYTES, and it is stored under the extension of that format, whatever it was
called. The content type it is served with comes from the file's bytes too, never from its name,
so a file that is not such an image is not served at all: nothing uploaded can come back as HTML
or script.
"""

import posixpath
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from PIL import Image, UnidentifiedImageError


class ImageFormat(NamedTuple):
    content_type: str
    extension: str


# Pillow's name for each format a photo may have: what it is served as and what it is stored as.
IMAGE_FORMATS = {
    "JPEG": ImageFormat("image/jpeg", ".jpg"),
    "PNG": ImageFormat("image/png", ".png"),
    "WEBP": ImageFormat("image/webp", ".webp"),
}


class PhotoField(forms.ImageField):
    """A JPEG, PNG or WebP photo no larger than settings.UPLOAD_MAX_BYTES, checked by Pillow.

    The cleaned file is named after its real format, so it is stored and served as what it is.
    """

    default_error_messages = {
        "invalid_image": _("上传的文件不是有效的图片，或图片已损坏。"),
        "too_large": _("照片不能大于 %(limit)s。"),
        "bad_format": _("只接受 JPEG、PNG 或 WebP 格式的照片。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(
                attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        if data in self.empty_values:
            return None
        # Refuse a file that is too large before Pillow reads it.
        size = getattr(data, "size", None)
        if size is not None and size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            )
        photo = super().to_python(data)
        image_format = IMAGE_FORMATS.get(getattr(photo.image, "format", None))
        if image_format is None:
            raise ValidationError(self.error_messages["bad_format"], code="bad_format")
        photo.name = (Path(photo.name).stem[:60] or "photo") + image_format.extension
        return photo


def image_content_type(file) -> str | None:
    """The content type of an image file by its bytes, or None if it is not an allowed image."""
    try:
        with Image.open(file) as image:
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)
    image_format = IMAGE_FORMATS.get(kind)
    return image_format.content_type if image_format else None


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
