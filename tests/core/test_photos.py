"""The one photo check: JPEG, PNG or WebP under UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS, stored
under the extension of its real format, for a project's progress-log photo and a hazard's photos
alike."""

import io
import re
import struct
import zlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.media import IMAGE_FORMATS, PhotoField, image_content_type
from apps.projects.models import ProgressLog
from apps.safety.models import Hazard, Site
from apps.safety.services import hazard_start_rectification
from tests.factories import ProjectFactory
from tests.safety.test_views import form_data as inspection_form_data

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "上传的文件不是有效的图片，或图片已损坏。"
TOO_MANY_PIXELS = "照片像素过多，不能超过 40 百万像素，请缩小后再上传。"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, fmt: str = "PNG", size=(8, 6)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 140, 60)).save(buffer, fmt)
    # The browser's content type follows the name, not the bytes.
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", "image/jpeg")


def png_declaring(width: int, height: int, name: str = "huge.png") -> SimpleUploadedFile:
    """A PNG whose header says width x height, a few hundred bytes on disk.

    Written by hand: an 8-bit grey image whose data starts with black rows, as a solid colour
    would, compressing to almost nothing. Decoded, it would take width x height bytes.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 4)
    data = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, data, content_type="image/png")


def media_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


# --- the field ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "stored_as"),
    [
        ("site.jpg", "PNG", "site.png"),
        ("site.png", "JPEG", "site.jpg"),
        ("site.jpeg", "JPEG", "site.jpg"),
        ("site", "WEBP", "site.webp"),
        ("site.html", "PNG", "site.png"),
    ],
)
def test_photo_field_names_file_after_its_real_format(name, fmt, stored_as):
    photo = PhotoField().clean(upload(name, fmt))

    assert (photo.name, photo.content_type) == (stored_as, IMAGE_FORMATS[fmt].content_type)


def test_photo_field_shortens_a_long_name():
    photo = PhotoField().clean(upload("x" * 120 + ".jpg", "PNG"))

    assert photo.name == "x" * 60 + ".png"


def test_photo_field_refuses_a_file_that_is_not_an_image():
    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(not_an_image())

    assert caught.value.messages == [NOT_AN_IMAGE]


def test_photo_field_refuses_an_image_of_another_format():
    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(upload("anim.jpg", "GIF"))

    assert caught.value.messages == ["只接受 JPEG、PNG 或 WebP 格式的照片。"]


def test_photo_field_refuses_a_file_over_the_limit(settings):
    photo = upload("big.png", size=(64, 64))
    settings.UPLOAD_MAX_BYTES = photo.size - 1

    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(photo)

    assert caught.value.messages == [f"照片不能大于 {photo.size - 1}\xa0字节。"]


def test_photo_field_limit_in_megabytes(settings):
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    huge = SimpleUploadedFile("huge.jpg", b"\0" * (5 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(huge)

    assert caught.value.messages == ["照片不能大于 5.0\xa0MB。"]


def test_photo_field_accepts_a_file_at_the_limit(settings):
    photo = upload("exact.webp", "WEBP")
    settings.UPLOAD_MAX_BYTES = photo.size

    assert PhotoField().clean(photo).name == "exact.webp"


def test_photo_field_optional_and_empty_is_none():
    assert PhotoField(required=False).clean(None) is None


def test_photo_field_refuses_too_many_pixels_from_the_header():
    huge = png_declaring(12000, 12000)

    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(huge)

    assert caught.value.messages == [TOO_MANY_PIXELS]


def test_photo_field_pixel_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 8 * 6 - 1

    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(upload("site.png", size=(8, 6)))

    assert [error.code for error in caught.value.error_list] == ["too_many_pixels"]


def test_photo_field_accepts_pixels_at_the_limit(settings):
    settings.UPLOAD_MAX_PIXELS = 8 * 6

    assert PhotoField().clean(upload("site.png", size=(8, 6))).name == "site.png"


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (10_000, 10_000),  # past Image.MAX_IMAGE_PIXELS: Pillow warns of a decompression bomb
        (20_000, 20_000),  # past twice that: Pillow refuses to open it
    ],
)
def test_photo_field_refuses_a_decompression_bomb_with_a_message(settings, width, height):
    # Our own limit out of the way: Pillow's protection alone must refuse it, with our message.
    settings.UPLOAD_MAX_PIXELS = 10**10

    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(png_declaring(width, height))

    assert caught.value.messages == ["照片像素过多，不能超过 10000 百万像素，请缩小后再上传。"]


def test_image_content_type_reads_the_same_formats():
    photo = upload("site.jpg", "PNG")

    assert image_content_type(photo) == "image/png"
    assert photo.tell() == 0


# --- the project's progress-log photo -----------------------------------------------------------


def log_progress(client, project, photo):
    return client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "现场", "percent_complete": "10", "investment_unit": "yi", "photo": photo},
    )


def test_progress_photo_png_named_jpg_stored_as_png(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)

    response = log_progress(client, project, upload("site.jpg", "PNG"))

    assert response.status_code == 302
    name = ProgressLog.objects.get().photo.name
    assert re.fullmatch(r"progress/\d{4}/\d{2}/site(_\w+)?\.png", name), name


def test_progress_photo_not_an_image_refused_in_chinese(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)

    response = log_progress(client, project, not_an_image())

    assert response.context["form"].errors["photo"] == [NOT_AN_IMAGE]
    assert ProgressLog.objects.count() == 0


# --- the hazard's photos ------------------------------------------------------------------------


@pytest.fixture
def site():
    return Site.objects.create(name="黄岛石化区")


def record_inspection(client, site, photo):
    return client.post(
        "/safety/inspections/new/", inspection_form_data(site, **{"hazards-0-photo_before": photo})
    )


def test_hazard_photo_before_png_named_jpg_stored_as_png(client, staff_a, site):
    client.force_login(staff_a)

    response = record_inspection(client, site, upload("before.jpg", "PNG"))

    assert response.status_code == 302
    name = Hazard.objects.get().photo_before.name
    assert re.fullmatch(r"hazards/\d{4}/\d{2}/before(_\w+)?\.png", name), name


def test_hazard_photo_before_not_an_image_refused_in_chinese(client, staff_a, site):
    client.force_login(staff_a)

    response = record_inspection(client, site, not_an_image("before.jpg"))

    assert response.context["formset"].forms[0].errors == {"photo_before": [NOT_AN_IMAGE]}
    assert Hazard.objects.count() == 0


def mark_rectified(client, hazard, photo):
    return client.post(
        f"/safety/hazards/{hazard.pk}/rectified/",
        {"rectified_on": "2023-03-02", "measures": "", "photo_after": photo},
    )


def test_hazard_photo_after_png_named_jpg_stored_as_png(client, staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=date(2023, 3, 1))
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    client.force_login(staff_a)

    response = mark_rectified(client, hazard, upload("after.jpg", "PNG"))

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert re.fullmatch(r"hazards/\d{4}/\d{2}/after(_\w+)?\.png", hazard.photo_after.name)


def test_hazard_photo_after_not_an_image_refused_in_chinese(
    client, staff_a, unit_a, hazard_factory
):
    hazard = hazard_factory(unit=unit_a, found_date=date(2023, 3, 1))
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    client.force_login(staff_a)

    response = mark_rectified(client, hazard, not_an_image("after.jpg"))

    assert response.context["mark_form"].errors == {"photo_after": [NOT_AN_IMAGE]}
    hazard.refresh_from_db()
    assert hazard.photo_after.name == ""


def test_hazard_photo_too_many_pixels_refused_nothing_saved(client, staff_a, site, media_root):
    client.force_login(staff_a)

    response = record_inspection(client, site, png_declaring(12000, 12000, "before.png"))

    assert response.context["formset"].forms[0].errors == {"photo_before": [TOO_MANY_PIXELS]}
    assert (Hazard.objects.count(), media_files(media_root)) == (0, [])


def test_hazard_photo_after_too_many_pixels_refused_nothing_saved(
    client, staff_a, unit_a, hazard_factory, media_root
):
    hazard = hazard_factory(unit=unit_a, found_date=date(2023, 3, 1))
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    client.force_login(staff_a)

    response = mark_rectified(client, hazard, png_declaring(12000, 12000, "after.png"))

    assert response.context["mark_form"].errors == {"photo_after": [TOO_MANY_PIXELS]}
    hazard.refresh_from_db()
    assert (hazard.photo_after.name, media_files(media_root)) == ("", [])


def test_progress_photo_too_many_pixels_refused_nothing_saved(client, staff_a, unit_a, media_root):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)

    response = log_progress(client, project, png_declaring(12000, 12000))

    assert response.context["form"].errors["photo"] == [TOO_MANY_PIXELS]
    assert (ProgressLog.objects.count(), media_files(media_root)) == (0, [])


def test_progress_photo_decompression_bomb_refused(client, settings, staff_a, unit_a, media_root):
    settings.UPLOAD_MAX_PIXELS = 10**10
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)

    response = log_progress(client, project, png_declaring(20_000, 20_000))

    assert response.context["form"].errors["photo"] == [
        "照片像素过多，不能超过 10000 百万像素，请缩小后再上传。"
    ]
    assert (ProgressLog.objects.count(), media_files(media_root)) == (0, [])
