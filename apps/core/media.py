"""Uploaded photos: checked on the way in, stored re-encoded with a thumbnail, then served only to
signed-in users and only as the image type they really are.

A photo is accepted only if it is a JPEG, PNG or WebP image no larger than
settings.UPLOAD_MAX_BYTES whose header declares at most settings.UPLOAD_MAX_PIXELS pixels; the
pixel count is checked before anything is decoded, so a small file that would decode into
gigabytes (a decompression bomb) is refused with a message. The accepted photo is decoded, turned
upright by its EXIF orientation, stripped of its metadata (EXIF with GPS, XMP, comments: only the
colour profile is kept), shrunk to settings.UPLOAD_MAX_EDGE and saved again in its own format, so
no uploaded file is ever stored byte for byte. A thumbnail of settings.UPLOAD_THUMBNAIL_EDGE
pixels is stored next to it, at `thumbnail_name(name)`, for pages.

The content type a file is served with comes from the file's bytes too, never from its name, so a
file that is not such an image is not served at all: nothing uploaded can come back as HTML or
script.
"""

import io
import posixpath
import warnings
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from PIL import Image, ImageOps, UnidentifiedImageError


class ImageFormat(NamedTuple):
    content_type: str
    extension: str
    # The modes the format stores as they are; any other mode is converted before saving.
    modes: tuple[str, ...]
    save_options: dict


# Pillow's name for each format a photo may have: what it is served as, what it is stored as, and
# how it is saved again.
IMAGE_FORMATS = {
    "JPEG": ImageFormat("image/jpeg", ".jpg", ("L", "RGB"), {"quality": 85, "optimize": True}),
    "PNG": ImageFormat("image/png", ".png", ("L", "LA", "RGB", "RGBA"), {"optimize": True}),
    "WEBP": ImageFormat("image/webp", ".webp", ("RGB", "RGBA"), {"quality": 85}),
}

# Thumbnails live in a folder of their own beside the photos: an uploaded photo is always stored
# directly in its upload folder, so no photo can take a thumbnail's name.
THUMBNAIL_FOLDER = "thumbs"

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


def _for_saving(image: Image.Image, image_format: ImageFormat) -> Image.Image:
    if image.mode.startswith("I"):
        # 16-bit grey, scaled to 8 bits: converted directly, every value past 255 would be white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in image_format.modes and "transparency" not in image.info:
        return image
    keeps_alpha = any(mode.endswith("A") for mode in image_format.modes)
    return image.convert("RGBA" if keeps_alpha and image.has_transparency_data else "RGB")


def _encode(image: Image.Image, kind: str, icc_profile: bytes | None) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, icc_profile=icc_profile, **IMAGE_FORMATS[kind].save_options)
    return buffer.getvalue()


class ProcessedPhoto(SimpleUploadedFile):
    """A photo decoded and saved again for storage, named after its format, with its thumbnail."""

    def __init__(self, name: str, content: bytes, content_type: str, thumbnail: bytes):
        super().__init__(name, content, content_type)
        self.thumbnail = thumbnail


def process_photo(file, name: str | None = None) -> ProcessedPhoto:
    """The photo in `file`, upright, without metadata, no larger than settings.UPLOAD_MAX_EDGE.

    Raises ValidationError (too_many_pixels, invalid_image, bad_format) for anything else.
    """
    try:
        with _open(file) as original:
            kind = original.format
            image_format = IMAGE_FORMATS.get(kind)
            if image_format is None:
                raise _refuse("bad_format")
            # Decodes the image. Only the first frame of an animated image is kept: these are photos.
            image = ImageOps.exif_transpose(original)
        upright = image
        image = _for_saving(image, image_format)
        # Keep the colour profile, which says how to show the colours, unless the colours were
        # converted away from it; drop everything else (EXIF with GPS, XMP, comments, text).
        icc_profile = upright.info.get("icc_profile") if image is upright else None
        image.info = {}
        edge = settings.UPLOAD_MAX_EDGE
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        thumbnail = image.copy()
        edge = settings.UPLOAD_THUMBNAIL_EDGE
        thumbnail.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        content = _encode(image, kind, icc_profile)
        thumbnail_content = _encode(thumbnail, kind, icc_profile)
    except ValidationError:
        raise
    except Exception:  # Pillow's decoders raise many kinds; a broken photo is refused, never a 500.
        raise _refuse("invalid_image") from None
    finally:
        file.seek(0)
    stem = Path(name or getattr(file, "name", None) or "photo").stem[:60] or "photo"
    return ProcessedPhoto(
        stem + image_format.extension, content, image_format.content_type, thumbnail_content
    )


def thumbnail_name(name: str) -> str:
    """Where the thumbnail of the photo stored as `name` is stored."""
    folder, file = posixpath.split(name)
    return posixpath.join(folder, THUMBNAIL_FOLDER, file)


def _store_thumbnail(storage: Storage, name: str, content: bytes) -> None:
    thumbnail = thumbnail_name(name)
    # Left over from a photo of the same name that was deleted: the new photo's thumbnail wins.
    if storage.exists(thumbnail):
        storage.delete(thumbnail)
    storage.save(thumbnail, ContentFile(content))


def store_missing_thumbnail(name: str, storage: Storage = default_storage) -> bool:
    """Make the thumbnail of a photo stored before thumbnails were; True if one was made."""
    try:
        if not name or storage.exists(thumbnail_name(name)):
            return False
        with storage.open(name, "rb") as file:
            photo = process_photo(file, name)
    except (OSError, ValidationError, SuspiciousFileOperation):
        return False
    _store_thumbnail(storage, name, photo.thumbnail)
    return True


class PhotoFieldFile(ImageFieldFile):
    """A stored photo: saved re-encoded with its thumbnail, deleted with it."""

    def save(self, name, content, save=True):
        # Whatever saves the file (a form, a service, the admin, a script), it is stored re-encoded.
        if not isinstance(content, ProcessedPhoto):
            content = process_photo(content, name)
        super().save(content.name, content, save=False)
        _store_thumbnail(self.storage, self.name, content.thumbnail)
        if save:
            self.instance.save()

    save.alters_data = True

    def delete(self, save=True):
        if self.name:
            self.storage.delete(thumbnail_name(self.name))
        super().delete(save=save)

    delete.alters_data = True

    @property
    def thumbnail_url(self) -> str:
        self._require_file()
        return self.storage.url(thumbnail_name(self.name))


class StoredPhotoField(models.ImageField):
    """A model's photo: stored re-encoded with a thumbnail, edited through PhotoField."""

    attr_class = PhotoFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoField, **kwargs})


class PhotoField(forms.ImageField):
    """A JPEG, PNG or WebP photo within settings.UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS.

    The cleaned file is the photo re-encoded (see process_photo), named after its real format, so
    it is stored and served as what it is.
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
        return process_photo(photo, photo.name)


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
