"""PDFs that can run something are refused (SECURITY.md UP-01): JavaScript (`/JavaScript`,
`/JS`), actions run on opening or on events (`/OpenAction` that is an action, `/AA`),
launching programs (`/Launch`) and embedded files (`/EmbeddedFile`, `/EmbeddedFiles`).

The file is parsed with pypdf and every object reachable from the trailer is visited,
including objects packed in compressed object streams and names written with `#xx`
escapes (pypdf decodes both). A PDF pypdf cannot parse, or an encrypted one that does not
open with the empty password, is refused too: what cannot be read cannot be checked.
Not covered: content inside page streams (which holds no actions) and unreachable objects
(no viewer runs them).
"""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

FORBIDDEN_KEYS = {"/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
MAX_OBJECTS = 200_000


def _active_content(reader):
    """The first forbidden name found, or None."""
    stack, seen, visited = [reader.trailer], set(), 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            return "too many objects"
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in FORBIDDEN_KEYS:
                    return key
                if key == "/S" and value in FORBIDDEN_ACTIONS:
                    return value
                if key == "/OpenAction":
                    action = value.get_object()
                    # A destination ([page /Fit]) only opens a page; an action dictionary
                    # other than GoTo runs something.
                    if isinstance(action, DictionaryObject) and action.get("/S") != "/GoTo":
                        return key
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def check_pdf(file, name):
    file.seek(0)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("“%(name)s”是加密的 PDF,无法检查其内容,请去掉密码后上传。") % {"name": name}
            )
        found = _active_content(reader)
    except ValidationError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, RecursionError) as error:
        raise ValidationError(
            _("“%(name)s”不是完整有效的 PDF 文件,无法检查其内容。") % {"name": name}
        ) from error
    finally:
        file.seek(0)
    if found:
        raise ValidationError(
            _("“%(name)s”含有脚本、自动动作或嵌入文件(%(what)s),为安全起见不予接收。")
            % {"name": name, "what": found}
        )
