/** Renders a status or error line (for example "not a profile: ...") as text, never as HTML. */
export function renderMessage(doc: Document, kind: 'status' | 'error', text: string): HTMLElement {
  const p = doc.createElement('p');
  p.className = kind;
  if (kind === 'error') p.setAttribute('role', 'alert');
  p.textContent = text;
  return p;
}
