/** The SVG namespace; SVG elements made without it are inert unknown HTML elements. */
export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes; values are set as attributes, never parsed as markup. */
export function svgEl<K extends keyof SVGElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const e = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Creates an SVG `<text>` (or `<title>`) whose content is set with `textContent`, so profile strings stay text. */
export function svgText(
  doc: Document,
  tag: 'text' | 'title',
  text: string,
  attrs: Record<string, string | number> = {},
): SVGElement {
  const e = svgEl(doc, tag, attrs);
  e.textContent = text;
  return e;
}
