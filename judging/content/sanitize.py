"""The one allow-list every stored article HTML passes through (nh3, a Rust html5ever-based
sanitiser). Pasted Word/WPS markup keeps its structure (headings, lists, tables, bold) and
loses its styling: no style, no class, no font, no event handler, no javascript: URL."""

import re
from urllib.parse import urlsplit

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "img",
    "strong",
    "em",
    "blockquote",
    "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Word wraps everything in these; their text is kept, the element is not.
_DROP_WITH_CONTENT = {"script", "style", "title", "head", "xml", "o:p"}


def own_image_prefix():
    return getattr(settings, "CONTENT_IMAGE_URL_PREFIX", "/site/images/")


def _filter_attribute(element, attribute, value):
    if element == "a" and attribute == "href":
        parts = urlsplit(value.strip())
        if parts.scheme in {"http", "https", "mailto"}:
            return value
        if not parts.scheme and not parts.netloc:
            return value  # relative link on this site
        return None
    if element == "img" and attribute == "src":
        parts = urlsplit(value.strip())
        if not parts.scheme and not parts.netloc and parts.path.startswith(own_image_prefix()):
            return value
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT - {"o:p"},
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


_RENAMES = [
    # Word and WPS paste bold as <b> and italics as <i>; 标题 1 arrives as <h1>, which is the
    # page's own title, so headings move one level down (h5/h6 join h4).
    (re.compile(r"<(/?)b(?=[\s>])", re.IGNORECASE), r"<\1strong"),
    (re.compile(r"<(/?)i(?=[\s>])", re.IGNORECASE), r"<\1em"),
    (re.compile(r"<(/?)h[4-6](?=[\s>])", re.IGNORECASE), r"<\1h4"),
    (re.compile(r"<(/?)h3(?=[\s>])", re.IGNORECASE), r"<\1h4"),
    (re.compile(r"<(/?)h2(?=[\s>])", re.IGNORECASE), r"<\1h3"),
    (re.compile(r"<(/?)h1(?=[\s>])", re.IGNORECASE), r"<\1h2"),
]


def sanitize_html(html, *, shift_headings=False):
    """Article HTML safe to render as it is under the strict CSP. `shift_headings` for pasted
    documents whose top heading is h1 (the editor itself produces h2–h4)."""
    if not html:
        return ""
    for pattern, replacement in _RENAMES[:2]:
        html = pattern.sub(replacement, html)
    if shift_headings or re.search(r"<h1[\s>]", html, re.IGNORECASE):
        for pattern, replacement in _RENAMES[2:]:
            html = pattern.sub(replacement, html)
    cleaned = _cleaner.clean(html).strip()
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned
