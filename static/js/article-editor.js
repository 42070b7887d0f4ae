// The article editor (django-prose-editor 0.28, Tiptap/ProseMirror), started by our own code
// instead of the package's presets, for the strict CSP (script-src 'self'; style-src 'self'):
// - the package's widget maps the bare name "django-prose-editor/editor" with an inline
//   <script type="importmap">, an inline script the policy refuses: we import the editor by a
//   relative path;
// - the package's createTextareaEditor() builds a Tiptap Editor with its default
//   `injectCSS: true`, which appends a <style data-tiptap-style> to <head>, an inline style the
//   policy refuses. We build the Editor ourselves with `injectCSS: false` and ship those base
//   rules as static/css/tiptap-core.css (loaded by judging/content/widgets.py).
// - ProseMirror parses pasted HTML with innerHTML in a document that inherits the page's
//   policy, so every style="" attribute and <style> element of a Word, WPS or Google Docs
//   paste is a violation (and off-site or file:/// images would be too): the HTML string is
//   cleaned first (pastedHtmlForPolicy below), keeping bold and italic given by styles as
//   markup.
// Otherwise the same as the package's src/configurable.js and src/editor.js
// (createTextareaEditor): re-read them when upgrading the package.
import * as editorModule from "../django_prose_editor/editor.js"

const { Editor, crel, initializeEditors } = editorModule
const MARKER = "data-django-prose-editor-configurable"

// Tiptap serialises an empty document as "<p></p>": store an empty string instead.
function actuallyEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
}

// Headings pasted from Word or WPS (标题 1 is an <h1>) keep a heading level: a level the
// editor does not offer becomes the nearest one it does (h1 → h2, h5/h6 → h4), as the
// sanitiser does on save, instead of falling back to a paragraph.
function headingWithNearestLevels(Heading, options) {
  return Heading.extend({
    parseHTML() {
      const levels = this.options.levels
      const nearest = (level) =>
        levels.includes(level)
          ? level
          : level < Math.min(...levels)
            ? Math.min(...levels)
            : Math.max(...levels)
      return [1, 2, 3, 4, 5, 6].map((level) => ({
        tag: `h${level}`,
        attrs: { level: nearest(level) },
      }))
    },
  }).configure(options)
}

function extensionsFrom(config) {
  const extensions = []
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = editorModule[name]
    if (!extension) continue
    if (name === "Heading") {
      extensions.push(
        headingWithNearestLevels(extension, typeof options === "object" ? options : {}),
      )
      continue
    }
    extensions.push(typeof options === "object" ? extension.configure(options) : extension)
  }
  return extensions
}

// --- Pasted HTML, cleaned as a string (any DOM parsing would apply the policy) -------------
const VOID = new Set([
  "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
  "track", "wbr",
])
// Elements whose content may be wrapped in <strong>/<em> (not table parts or lists, where
// the HTML parser would move the wrapper out).
const WRAPPABLE = new Set([
  "a", "b", "blockquote", "div", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "i", "li",
  "p", "span", "strong", "td", "th", "u",
])
const TOKEN = new RegExp(
  [
    "<!--[\\s\\S]*?-->", // comments (Word's conditional ones) stay as they are
    "<(style|script)\\b[\\s\\S]*?<\\/\\1\\s*>", // dropped with their content
    "<\\/([a-zA-Z][\\w:-]*)\\s*>", // an end tag
    // a start tag and its attributes (quoted values may contain ">")
    "<([a-zA-Z][\\w:-]*)((?:\\s+[^\\s=/>]+(?:\\s*=\\s*(?:\"[^\"]*\"|'[^']*'|[^\\s>]+))?)*)\\s*(/?)>",
  ].join("|"),
  "g",
)
const STYLE_ATTR = /\s+style\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi
const SRC_ATTR = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i

function sameOrigin(url) {
  try {
    return new URL(url, window.location.href).origin === window.location.origin
  } catch {
    return false
  }
}

export function pastedHtmlForPolicy(html) {
  const open = [] // the start tags seen and not yet closed: their name and closing markup
  return html.replace(TOKEN, (token, dropped, endName, name, attrs = "", selfClosing) => {
    if (dropped) return ""
    if (endName) {
      const at = open.map((element) => element.name).lastIndexOf(endName.toLowerCase())
      if (at === -1) return token
      return open
        .splice(at)
        .reverse()
        .map((element) => element.close)
        .join("")
    }
    if (!name) return token // a comment
    const lower = name.toLowerCase()
    if (lower === "link" || lower === "meta") return ""
    if (lower === "img") {
      const src = SRC_ATTR.exec(attrs)
      // Off-site and file:/// images would be refused by img-src, and the sanitiser keeps
      // only the site's own images anyway.
      if (!src || !sameOrigin(src[1] ?? src[2] ?? src[3])) return ""
    }
    let style = ""
    const rest = attrs.replace(STYLE_ATTR, (_, double, single, bare) => {
      style += `;${double ?? single ?? bare}`
      return ""
    })
    style = style.toLowerCase()
    // Google Docs wraps a paste in <b style="font-weight:normal">: not bold.
    const normal = /font-weight\s*:\s*(normal|[1-4]00)\b/.test(style)
    const tag = lower === "b" && normal ? "span" : name
    const wrappers = []
    if (WRAPPABLE.has(lower)) {
      if (/font-weight\s*:\s*(bold|bolder|[5-9]00)\b/.test(style)) wrappers.push("strong")
      if (/font-style\s*:\s*italic\b/.test(style)) wrappers.push("em")
    }
    if (VOID.has(lower) || selfClosing) return `<${tag}${rest}>`
    open.push({
      name: lower,
      close: [...wrappers].reverse().map((w) => `</${w}>`).join("") + `</${tag}>`,
    })
    return `<${tag}${rest}>` + wrappers.map((w) => `<${w}>`).join("")
  })
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
    editorProps: { transformPastedHTML: pastedHtmlForPolicy },
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
