"""Uploaded photos: only for signed-in users, only as the image type their bytes say, never HTML."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.projects.models import ProgressLog
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "progress").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("not for you")
    return settings.MEDIA_ROOT


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def signed_in(client, staff_a):
    client.force_login(staff_a)
    return client


def test_media_anonymous_redirects_to_login(client, media_root):
    (media_root / "progress" / "a.png").write_bytes(image_bytes("PNG"))
    response = client.get("/media/progress/a.png")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/media/progress/a.png",
    )


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "b.jpg", "image/jpeg"),
        ("WEBP", "c.webp", "image/webp"),
    ],
)
def test_media_serves_image_with_its_real_type(signed_in, media_root, fmt, name, content_type):
    data = image_bytes(fmt)
    (media_root / "progress" / name).write_bytes(data)
    response = signed_in.get(f"/media/progress/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert b"".join(response.streaming_content) == data


def test_media_type_comes_from_bytes_not_name(signed_in, media_root):
    (media_root / "progress" / "page.html").write_bytes(image_bytes("PNG"))
    response = signed_in.get("/media/progress/page.html")
    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"GIF89a<script>alert(1)</script>", b""],
)
def test_media_refuses_files_that_are_not_allowed_images(signed_in, media_root, content):
    (media_root / "progress" / "evil.png").write_bytes(content)
    assert signed_in.get("/media/progress/evil.png").status_code == 404


def test_media_refuses_gif_even_if_valid(signed_in, media_root):
    (media_root / "progress" / "anim.gif").write_bytes(image_bytes("GIF"))
    assert signed_in.get("/media/progress/anim.gif").status_code == 404


@pytest.mark.parametrize(
    "path", ["../secret.txt", "progress/../../secret.txt", "progress/missing.png", "progress/"]
)
def test_media_outside_or_missing_is_404(signed_in, media_root, path):
    assert signed_in.get(f"/media/{path}").status_code == 404


def test_media_serves_a_stored_photos_thumbnail_only_when_signed_in(client, staff_a, media_root):
    log = ProgressLog(project=ProjectFactory(), date=date(2024, 6, 1), text="现场")
    log.photo.save("site.png", SimpleUploadedFile("site.png", image_bytes("PNG")), save=True)
    url = log.photo.thumbnail_url

    anonymous = client.get(url)
    client.force_login(staff_a)
    signed_in = client.get(url)

    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={url}")
    assert (signed_in.status_code, signed_in["Content-Type"]) == (200, "image/png")
    assert url == f"/media/{log.photo.name.rsplit('/', 1)[0]}/thumbs/site.png"
