"""Photos from the public and from field workers: checked, re-encoded, stripped of metadata.

Re-encoding through Pillow both proves the file is an image and drops everything but
the pixels — EXIF with GPS positions and phone models, comments, embedded thumbnails.
"""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ValidationFailed

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
# The parsers tried on an upload (the JPEG parser also opens MPO, a phone's multi-picture JPEG).
_PARSERS = ["JPEG", "PNG", "WEBP"]
MAX_SIDE = 2560
MAX_PIXELS = 40_000_000  # larger than any phone photo; refused before decoding, so no bomb is unpacked


def clean_photo(uploaded, field: str = "photos") -> ContentFile:
    """A JPEG copy of an uploaded photo without metadata, or ValidationFailed saying why."""
    name = getattr(uploaded, "name", "photo")
    if uploaded.size > settings.MINSHENG_MAX_PHOTO_BYTES:
        raise ValidationFailed.for_field(field, _("照片“%(name)s”超过 %(mb)d MB。") % {
            "name": name, "mb": settings.MINSHENG_MAX_PHOTO_BYTES // (1024 * 1024)})
    try:
        # Reads the header only, and tries only the accepted formats' parsers: a file of any other
        # format (or none) is refused before any of its data is decoded.
        image = Image.open(uploaded, formats=_PARSERS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed.for_field(field, _("“%(name)s”不是 JPEG、PNG 或 WebP 照片。") % {"name": name}) from exc
    try:
        if image.format not in ACCEPTED_FORMATS:
            raise ValidationFailed.for_field(field, _("“%(name)s”不是 JPEG、PNG 或 WebP 照片。") % {"name": name})
        if image.width * image.height > MAX_PIXELS:
            raise ValidationFailed.for_field(field, _("照片“%(name)s”的像素过多。") % {"name": name})
        image.load()
        with image:
            image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            clean = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed.for_field(field, _("“%(name)s”不是可识别的图片。") % {"name": name}) from exc
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def clean_photos(uploads, field: str = "photos") -> list[ContentFile]:
    uploads = list(uploads or [])
    if len(uploads) > settings.MINSHENG_MAX_PHOTOS:
        raise ValidationFailed.for_field(field, _("最多上传 %(n)d 张照片。") % {"n": settings.MINSHENG_MAX_PHOTOS})
    return [clean_photo(u, field) for u in uploads]
