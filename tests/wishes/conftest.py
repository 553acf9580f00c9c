import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


@pytest.fixture
def tiny_jpeg(settings, tmp_path):
    """A maker of small JPEG uploads, stored under a temporary media root."""
    settings.MEDIA_ROOT = tmp_path

    def make(name="evidence.jpg"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (30, 160, 60)).save(buffer, format="JPEG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")

    return make
