"""The one photo check: JPEG, PNG or WebP under UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS, stored
re-encoded (upright, without metadata, no larger than UPLOAD_MAX_EDGE) under the extension of its
real format with a thumbnail beside it, for a project's progress-log photo and a hazard's photos
alike."""

import io
import re
import struct
import zlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from apps.core.media import (
    IMAGE_FORMATS,
    PhotoField,
    StoredPhotoField,
    image_content_type,
    store_missing_thumbnail,
    thumbnail_name,
)
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


GPS = ExifTags.IFD.GPSInfo


def jpeg_with_exif(
    name: str = "site.jpg", size=(80, 40), orientation: int = 1
) -> SimpleUploadedFile:
    """A JPEG as a phone takes it: EXIF with GPS position and camera, left half red, right blue."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(GPS).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (35.0, 57.0, 36.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (120.0, 11.0, 24.0),
        }
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored_image(field_file) -> Image.Image:
    with field_file.storage.open(field_file.name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
    image.load()
    return image


def stored_thumbnail(field_file) -> Image.Image:
    with field_file.storage.open(thumbnail_name(field_file.name), "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
    image.load()
    return image


def dominant(pixel) -> str:
    return "RGB"[max(range(3), key=lambda channel: pixel[channel])]


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


def test_photo_field_refuses_a_truncated_image():
    whole = jpeg_with_exif(size=(64, 48)).read()
    truncated = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], "image/jpeg")

    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(truncated)

    assert caught.value.messages == [NOT_AN_IMAGE]


def test_photo_field_reencodes_the_upload():
    original = upload("site.png", size=(64, 48))

    photo = PhotoField().clean(original)

    assert photo.read() != original.read()


def test_stored_photo_field_edits_through_photo_field():
    # The admin's forms, like the pages', check and re-encode photos.
    formfield = ProgressLog._meta.get_field("photo").formfield()

    assert (type(formfield), type(ProgressLog._meta.get_field("photo"))) == (
        PhotoField,
        StoredPhotoField,
    )


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


# --- what is stored, whoever uploads it ---------------------------------------------------------

UPLOADERS = ["progress", "hazard_before", "hazard_after"]


@pytest.fixture
def store_through(client, staff_a, unit_a, site, hazard_factory):
    """store_through(uploader, photo) -> the stored photo, uploaded on that uploader's page."""
    client.force_login(staff_a)

    def store(uploader, photo):
        if uploader == "progress":
            response = log_progress(client, ProjectFactory(responsible_unit=unit_a), photo)
            stored = lambda: ProgressLog.objects.get().photo  # noqa: E731
        elif uploader == "hazard_before":
            response = record_inspection(client, site, photo)
            stored = lambda: Hazard.objects.get().photo_before  # noqa: E731
        else:
            hazard = hazard_factory(unit=unit_a, found_date=date(2023, 3, 1))
            hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
            response = mark_rectified(client, hazard, photo)
            stored = lambda: Hazard.objects.get().photo_after  # noqa: E731
        assert response.status_code == 302
        return stored()

    return store


@pytest.mark.parametrize("uploader", UPLOADERS)
def test_photo_stored_without_exif_or_gps(store_through, uploader):
    photo = jpeg_with_exif()
    assert Image.open(photo).getexif().get_ifd(GPS) != {}
    photo.seek(0)

    image = stored_image(store_through(uploader, photo))

    assert (image.format, dict(image.getexif()), image.info.get("exif")) == ("JPEG", {}, None)


@pytest.mark.parametrize("uploader", UPLOADERS)
def test_photo_stored_bytes_differ_from_upload(store_through, uploader):
    photo = upload("site.png", size=(64, 48))

    stored = store_through(uploader, photo)

    with stored.storage.open(stored.name, "rb") as file:
        assert file.read() != photo.read()


@pytest.mark.parametrize("uploader", UPLOADERS)
def test_photo_stored_with_thumbnail_within_its_edge(settings, store_through, uploader):
    settings.UPLOAD_THUMBNAIL_EDGE = 40

    stored = store_through(uploader, upload("site.png", size=(120, 90)))

    thumbnail = stored_thumbnail(stored)
    assert (thumbnail.format, thumbnail.size, stored_image(stored).size) == (
        "PNG",
        (40, 30),
        (120, 90),
    )
    assert stored.thumbnail_url == f"/media/{thumbnail_name(stored.name)}"


@pytest.mark.parametrize("uploader", UPLOADERS)
def test_photo_stored_no_larger_than_max_edge(settings, store_through, uploader):
    settings.UPLOAD_MAX_EDGE = 64

    stored = store_through(uploader, upload("site.png", size=(256, 128)))

    assert stored_image(stored).size == (64, 32)


@pytest.mark.parametrize("uploader", UPLOADERS)
def test_rotated_photo_stored_upright(store_through, uploader):
    # Orientation 6: the camera was turned a quarter, the picture must be turned clockwise.
    photo = jpeg_with_exif(size=(80, 40), orientation=6)

    image = stored_image(store_through(uploader, photo)).convert("RGB")

    assert image.size == (40, 80)
    assert (dominant(image.getpixel((20, 10))), dominant(image.getpixel((20, 70)))) == ("R", "B")
    assert dict(image.getexif()) == {}


def test_hazard_detail_shows_before_thumbnail_linking_to_photo(client, staff_a, store_through):
    stored = store_through("hazard_before", upload("before.png"))

    html = client.get(f"/safety/hazards/{Hazard.objects.get().pk}/").content.decode()

    assert f'<a href="/media/{stored.name}"' in html
    assert f'<img src="/media/{thumbnail_name(stored.name)}"' in html


# --- the model field, whatever saves it ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_saved_without_a_form_reencoded_in_its_format(unit_a, fmt):
    log = ProgressLog(
        project=ProjectFactory(responsible_unit=unit_a), date=date(2024, 6, 1), text="现场"
    )
    photo = upload("site.jpg", fmt, size=(64, 48))

    log.photo.save("site.jpg", photo, save=True)

    log.refresh_from_db()
    assert log.photo.name.endswith(IMAGE_FORMATS[fmt].extension)
    assert (stored_image(log.photo).format, stored_thumbnail(log.photo).format) == (fmt, fmt)
    with log.photo.open("rb") as file:
        assert file.read() != photo.read()


def test_photo_saved_without_a_form_stripped_of_gps(unit_a):
    log = ProgressLog(
        project=ProjectFactory(responsible_unit=unit_a), date=date(2024, 6, 1), text="现场"
    )

    log.photo.save("site.jpg", jpeg_with_exif(), save=True)

    assert dict(stored_image(log.photo).getexif()) == {}


def test_photo_with_transparent_palette_stored_as_png_with_alpha(unit_a):
    image = Image.new("P", (16, 16), 0)
    image.info["transparency"] = 0
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    log = ProgressLog(
        project=ProjectFactory(responsible_unit=unit_a), date=date(2024, 6, 1), text="现场"
    )

    log.photo.save("logo.png", SimpleUploadedFile("logo.png", buffer.getvalue()), save=True)

    stored = stored_image(log.photo)
    assert (stored.format, stored.mode, stored.getpixel((0, 0))[3]) == ("PNG", "RGBA", 0)


def test_photo_16_bit_grey_stored_scaled_to_8_bits(unit_a):
    buffer = io.BytesIO()
    Image.new("I;16", (16, 16), 30000).save(buffer, "PNG")
    log = ProgressLog(
        project=ProjectFactory(responsible_unit=unit_a), date=date(2024, 6, 1), text="现场"
    )

    log.photo.save("scan.png", SimpleUploadedFile("scan.png", buffer.getvalue()), save=True)

    stored = stored_image(log.photo)
    assert (stored.mode, stored.getpixel((0, 0))) == ("L", 30000 // 256)


def test_photo_delete_removes_its_thumbnail(unit_a, media_root):
    log = ProgressLog(
        project=ProjectFactory(responsible_unit=unit_a), date=date(2024, 6, 1), text="现场"
    )
    log.photo.save("site.png", upload("site.png"), save=True)

    log.photo.delete(save=True)

    assert media_files(media_root) == []


def test_store_missing_thumbnail_for_a_photo_stored_before_thumbnails(settings, media_root):
    settings.UPLOAD_THUMBNAIL_EDGE = 10
    (media_root / "progress" / "2023" / "05").mkdir(parents=True)
    (media_root / "progress" / "2023" / "05" / "old.jpg").write_bytes(
        jpeg_with_exif(size=(40, 20)).read()
    )

    made = [store_missing_thumbnail("progress/2023/05/old.jpg") for _ in range(2)]

    assert made == [True, False]
    thumbnail = Image.open(media_root / "progress" / "2023" / "05" / "thumbs" / "old.jpg")
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (10, 5))
