// The article editor (django-prose-editor 0.28, Tiptap/ProseMirror), started by our own code
// instead of the package's presets, for the strict CSP (script-src 'self'; style-src 'self'):
// - the package's widget maps the bare name "django-prose-editor/editor" with an inline
//   <script type="importmap">, an inline script the policy refuses: we import the editor by a
//   relative path;
// - the package's createTextareaEditor() builds a Tiptap Editor with its default
//   `injectCSS: true`, which appends a <style data-tiptap-style> to <head>, an inline style the
//   policy refuses. We build the Editor ourselves with `injectCSS: false` and ship those base
//   rules as static/css/tiptap-core.css (loaded by judging/content/widgets.py).
// Otherwise the same as the package's src/configurable.js and src/editor.js
// (createTextareaEditor): re-read them when upgrading the package.
import * as editorModule from "../django_prose_editor/editor.js"

const { Editor, crel, initializeEditors } = editorModule
const MARKER = "data-django-prose-editor-configurable"

// Tiptap serialises an empty document as "<p></p>": store an empty string instead.
function actuallyEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
}

function extensionsFrom(config) {
  const extensions = []
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = editorModule[name]
    if (!extension) continue
    extensions.push(typeof options === "object" ? extension.configure(options) : extension)
  }
  return extensions
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null
  const config = JSON.parse(textarea.getAttribute(MARKER) || "{}")
  const disabled = textarea.hasAttribute("disabled")
  const element = crel("div", { className: `prose-editor ${disabled ? "disabled" : ""}` })
  textarea.before(element)
  element.append(textarea)
  const editor = new Editor({
    element,
    editable: !disabled,
    extensions: extensionsFrom(config),
    content: textarea.value,
    injectCSS: false,
    onUpdate({ editor }) {
      textarea.value = actuallyEmpty(editor.getHTML())
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
    onDestroy() {
      element.before(textarea)
      element.remove()
    },
  })
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }),
  )
  return editor
}

// Every textarea of the widget on the page, and those of inline formsets added later.
initializeEditors(createEditor, `[${MARKER}]`)

export { createEditor }
