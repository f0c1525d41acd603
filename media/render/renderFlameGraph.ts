import type { FlameNode } from '../../src/views/dashboardMessages';
import { formatPercent, formatValue } from './formatValue';

/** Height of one flame graph row in pixels. */
export const FLAME_ROW_PX = 18;

/** Frames narrower than this fraction of the view are not drawn (they would be slivers without a readable name). */
const MIN_DRAW_FRACTION = 0.002;

/** What the flame graph needs besides the tree. */
export interface FlameGraphOptions {
  unit: string;
  /** Values are `current − base`: growth is drawn red, shrinkage green, instead of colouring by package. */
  isDiff: boolean;
  /** The node shown full width (zoom); the tree's root when not zoomed. */
  focus: FlameNode;
  /** The path from the root down to `focus`, drawn above it as full-width ancestors. */
  ancestors: FlameNode[];
  /** Called when the user clicks a frame (zoom into it) or an ancestor (zoom out to it). */
  onFocus(node: FlameNode, ancestors: FlameNode[]): void;
}

/**
 * Renders an icicle-style flame graph (callers above callees) as positioned DOM boxes.
 *
 * DOM rather than canvas: names go in with `textContent` (profile strings are never parsed as HTML), boxes are
 * focusable and clickable without hit-testing, and the graph is testable with a DOM in unit tests. Widths are by
 * absolute value so a diff (negative values) draws too; there the sign picks the colour.
 */
export function renderFlameGraph(doc: Document, root: FlameNode, o: FlameGraphOptions): HTMLElement {
  const box = doc.createElement('div');
  box.className = 'flame';
  const width = Math.abs(o.focus.value);
  let rows = 0;
  const frame = (
    node: FlameNode,
    depth: number,
    left: number,
    fraction: number,
    path: FlameNode[],
    ancestor: boolean,
  ): void => {
    rows = Math.max(rows, depth + 1);
    const d = doc.createElement('div');
    d.className = `frame ${ancestor ? 'ancestor' : o.isDiff ? diffClass(node.value) : `hue-${hue(node.name)}`}`;
    d.tabIndex = 0;
    d.setAttribute('role', 'button');
    d.style.left = `${(left * 100).toFixed(4)}%`;
    d.style.width = `${(fraction * 100).toFixed(4)}%`;
    d.style.top = `${depth * FLAME_ROW_PX}px`;
    d.textContent = node.name;
    d.title = `${node.name}\n${formatValue(node.value, o.unit)} (${formatPercent(node.value, root.value)} of all)`;
    const activate = (): void => o.onFocus(node, path);
    d.addEventListener('click', activate);
    d.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        activate();
      }
    });
    box.append(d);
    if (ancestor) return;
    let x = left;
    for (const c of node.children) {
      const f = width === 0 ? 0 : Math.abs(c.value) / width;
      if (f >= MIN_DRAW_FRACTION) frame(c, depth + 1, x, f, [...path, node], false);
      x += f;
    }
  };
  o.ancestors.forEach((a, i) => frame(a, i, 0, 1, o.ancestors.slice(0, i), true));
  frame(o.focus, o.ancestors.length, 0, 1, o.ancestors, false);
  box.style.height = `${rows * FLAME_ROW_PX}px`;
  return box;
}

function diffClass(v: number): string {
  return v > 0 ? 'grow' : v < 0 ? 'shrink' : 'same';
}

/** A stable colour slot (0-5) per Go package, so one package keeps its colour across graphs. */
export function hue(name: string): number {
  // "example.com/ecu/can.(*Reader).loop" -> "example.com/ecu/can"
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  const pkg = dot > 0 ? name.slice(0, dot) : name;
  let h = 0;
  for (let i = 0; i < pkg.length; i++) h = (h * 31 + pkg.charCodeAt(i)) >>> 0;
  return h % 6;
}
