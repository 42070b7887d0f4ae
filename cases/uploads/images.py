"""Images are decoded and encoded again with Pillow: what is stored is only the pixels, so
nothing appended after the image data (an HTML page, a script, a zip) and no metadata
(EXIF with GPS position, text chunks, comments) survives (SECURITY.md UP-01)."""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
JPEG_QUALITY = 90


def reencode(file, content_type, name):
    """The image's pixels as fresh PNG or JPEG bytes; raises `ValidationError` for an image
    that does not decode or has more pixels than `UPLOAD_IMAGE_MAX_PIXELS`."""
    fmt = FORMATS[content_type]
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[fmt]) as image:
                width, height = image.size
                if width * height > settings.UPLOAD_IMAGE_MAX_PIXELS:
                    raise ValidationError(
                        _("“%(name)s”为 %(width)s×%(height)s 像素,超过上限,请缩小后上传。")
                        % {"name": name, "width": width, "height": height}
                    )
                image.load()
                image = ImageOps.exif_transpose(image)
                if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                out = io.BytesIO()
                options = {"quality": JPEG_QUALITY} if fmt == "JPEG" else {}
                image.save(out, fmt, **options)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
    ) as error:
        raise ValidationError(
            _("“%(name)s”不是可以打开的图片(文件已损坏或不完整)。") % {"name": name}
        ) from error
    finally:
        file.seek(0)
    return out.getvalue()
