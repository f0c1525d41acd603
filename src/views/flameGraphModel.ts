import { pprofDisplayName } from '../core/pprof/displayName';
import type { Profile } from '../core/pprof/profileModel';
import type { FlameNode } from './dashboardMessages';

/** Limits that keep the flame graph message small and the webview fast on profiles with huge call trees. */
export interface FlameGraphLimits {
  /** Most nodes sent to the webview; the smallest are merged away first. */
  maxNodes: number;
  /** Nodes below this fraction of the root's absolute value are dropped (their value stays in their parent). */
  minFraction: number;
}

const defaults: FlameGraphLimits = { maxNodes: 4000, minFraction: 0.0005 };

interface Building {
  name: string;
  value: number;
  self: number;
  kids: Map<string, Building>;
}

/**
 * Builds the call tree of one sample type, root (all samples) at the top and callees below, merged by function name
 * as pprof's flame graph does; inlined frames are their own nodes. Values may be negative (a diff), so pruning and the
 * node budget go by absolute value.
 */
export function flameGraphModel(p: Profile, sampleIndex: number, limits: Partial<FlameGraphLimits> = {}): FlameNode {
  const { maxNodes, minFraction } = { ...defaults, ...limits };
  const root: Building = { name: 'root', value: 0, self: 0, kids: new Map() };
  const n = p.sampleTypes.length;
  const { values, stackStart, locIndex } = p.samples;
  const names = new Map<object, string>();
  for (let i = 0; i < p.samples.count; i++) {
    const v = values[i * n + sampleIndex]!;
    if (v === 0) continue;
    root.value += v;
    let node = root;
    // Stacks are stored leaf first, and a location's lines innermost first: walk both backwards from the root.
    for (let k = stackStart[i + 1]! - 1; k >= stackStart[i]!; k--) {
      const loc = p.locations[locIndex[k]!]!;
      for (let l = loc.lines.length - 1; l >= 0; l--) {
        const fn = loc.lines[l]!.function;
        let name = names.get(fn);
        if (name === undefined) {
          name = pprofDisplayName(fn) || '<unknown>';
          names.set(fn, name);
        }
        node = child(node, name);
        node.value += v;
      }
      if (loc.lines.length === 0) {
        node = child(node, `0x${loc.address.toString(16)}`);
        node.value += v;
      }
    }
    node.self += v;
  }

  // Keep the biggest nodes within the budget: the cut is the larger of minFraction and the maxNodes-th value.
  const all: number[] = [];
  const collect = (b: Building): void => {
    for (const c of b.kids.values()) {
      all.push(Math.abs(c.value));
      collect(c);
    }
  };
  collect(root);
  all.sort((a, b) => b - a);
  const cut = Math.max(minFraction * Math.abs(root.value), all.length > maxNodes ? all[maxNodes - 1]! : 0);
  const finish = (b: Building): FlameNode => {
    const children: FlameNode[] = [];
    for (const c of b.kids.values()) {
      if (Math.abs(c.value) > cut || (cut === 0 && c.value !== 0)) children.push(finish(c));
    }
    children.sort((x, y) => Math.abs(y.value) - Math.abs(x.value) || x.name.localeCompare(y.name));
    return { name: b.name, value: b.value, self: b.self, children };
  };
  return finish(root);
}

function child(parent: Building, name: string): Building {
  let c = parent.kids.get(name);
  if (!c) {
    c = { name, value: 0, self: 0, kids: new Map() };
    parent.kids.set(name, c);
  }
  return c;
}
