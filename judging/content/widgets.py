"""The article editor: django-prose-editor (ProseMirror/Tiptap, assets shipped in the
package) with the extensions our sanitiser allows, started by static/js/article-editor.js
without the package's inline import map and without Tiptap's injected <style>, so it runs
under `script-src 'self'; style-src 'self'` with no violation; Tiptap's base rules come from
static/css/tiptap-core.css instead."""

from django import forms
from django_prose_editor.widgets import ProseEditorWidget
from js_asset import Script

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}


class ArticleEditorWidget(ProseEditorWidget):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("config", {"extensions": EDITOR_EXTENSIONS})
        kwargs.setdefault("preset", "configurable")
        super().__init__(*args, **kwargs)

    @property
    def media(self):
        return forms.Media(
            css={
                "all": [
                    "css/tiptap-core.css",
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                ]
            },
            js=[Script("js/article-editor.js", type="module")],
        )
