"""Uploaded photos: checked on the way in, then served only to signed-in users and only as the
image type they really are.

A photo is accepted only if Pillow reads it as a JPEG, PNG or WebP image no larger than
settings.UPLOAD_MAX_BYTES whose header declares at most settings.UPLOAD_MAX_PIXELS pixels, and it
is stored under the extension of that format, whatever it was called. The pixel count is checked
before anything is decoded, so a small file that would decode into gigabytes (a decompression
bomb) is refused with a message. The content type it is served with comes from the file's bytes
too, never from its name, so a file that is not such an image is not served at all: nothing
uploaded can come back as HTML or script.
"""

import posixpath
import warnings
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


MESSAGES = {
    "invalid_image": _("上传的文件不是有效的图片，或图片已损坏。"),
    "too_large": _("照片不能大于 %(limit)s。"),
    "too_many_pixels": _("照片像素过多，不能超过 %(limit)s 百万像素，请缩小后再上传。"),
    "bad_format": _("只接受 JPEG、PNG 或 WebP 格式的照片。"),
}


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def _too_many_pixels() -> ValidationError:
    return _refuse("too_many_pixels", limit=f"{settings.UPLOAD_MAX_PIXELS / 1_000_000:g}")


def _open(file) -> Image.Image:
    """Open an image lazily (only its header is read) and refuse it if it has too many pixels.

    Pillow warns of a possible decompression bomb past Image.MAX_IMAGE_PIXELS and refuses one
    past twice that; both are answered with the same message as our own, lower, limit.
    """
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse("invalid_image") from None
    width, height = image.size
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise _too_many_pixels()
    return image


def refuse_too_many_pixels(file) -> None:
    """Raise ValidationError if the image's header declares too many pixels; read nothing more."""
    try:
        # Not image.close(): that would close the upload too.
        with _open(file):
            pass
    except ValidationError as error:
        if error.code == "too_many_pixels":
            raise
    finally:
        file.seek(0)


class PhotoField(forms.ImageField):
    """A JPEG, PNG or WebP photo within settings.UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS.

    The cleaned file is named after its real format, so it is stored and served as what it is.
    """

    default_error_messages = MESSAGES

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
        # Refuse a file that is too large, then one that would decode too large, before Pillow
        # decodes anything.
        size = getattr(data, "size", None)
        if size is not None and size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            )
        refuse_too_many_pixels(data)
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
