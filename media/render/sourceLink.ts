import { el } from './el';

/** A `file:line` link that asks the host to open the source; the text is set as text, the host validates the path. */
export function sourceLink(
  doc: Document,
  file: string,
  line: number,
  onOpen: (file: string, line: number) => void,
): HTMLElement {
  const where = line > 0 ? `${file}:${line}` : file;
  const a = el(doc, 'a', 'source', where);
  a.setAttribute('href', '#');
  a.title = `Open ${where}`;
  a.addEventListener('click', (e) => {
    e.preventDefault();
    onOpen(file, line);
  });
  return a;
}
