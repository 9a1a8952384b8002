/*
 * Stands in for sanitize-html (about 230 kB with its HTML and CSS parsers), which
 * ipywidgets uses only for descriptions marked `description_allow_html`. The kit never
 * marks one, so any markup in a description is shown as the characters it is made of.
 */
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export default function plainText(source) {
  return String(source).replace(/[&<>"']/g, (character) => ESCAPES[character]);
}
