import type { SiteMode } from './leakConfig';
import { FrameKind } from './goPackage';
import type { FrameTable } from './frameTable';
import type { StackTable } from './stackTable';

/** One source frame as reports show it. */
export interface SourceFrame {
  function: string;
  file: string;
  line: number;
}

/** An allocation site: where in the code a group of heap samples is attributed. */
export interface AllocationSite extends SourceFrame {
  /** Stable id of the site within its series. */
  id: number;
  /** The frame id the site is keyed by (for `full-stack`, the stack's innermost frame). */
  frameId: number;
}

// The runtime's allocation entry points: a site named after one of these says nothing about who allocated.
const ALLOCATOR =
  /^runtime\.(mallocgc\w*|newobject|newarray|makeslice\w*|growslice|makemap\w*|makechan|rawstring\w*|rawbyteslice|rawruneslice|concatstring\w*|slicebytetostring|stringtoslice\w*|mProf_Malloc|profilealloc|\(\*mcache\)\.\w+|persistentalloc\w*|systemstack|mcall)$/;

/**
 * Picks the frame a stack is attributed to under `mode`; returns -1 for the empty stack.
 *
 * `innermost-user` takes the innermost frame outside the runtime and standard library; a stack made only of
 * those (an init in the standard library) falls back to its innermost non-runtime frame, and a stack made only
 * of runtime frames (goroutine descriptors from `runtime.malg`, whose stacks stop at `systemstack`) to its
 * innermost frame that is not an allocation entry point, then to its leaf, so every sample lands somewhere.
 */
export function siteFrameOf(stackId: number, mode: SiteMode, stacks: StackTable, frames: FrameTable): number {
  const leaf = stacks.leafFrame(stackId);
  if (leaf < 0 || mode === 'leaf' || mode === 'full-stack') return leaf;
  const wanted = mode === 'main-module' ? FrameKind.Main : FrameKind.User;
  let firstNonRuntime = -1;
  let firstUser = -1;
  let firstNonAllocator = -1;
  for (let n = stackId; n > 0; n = stacks.parentOf(n)) {
    const f = stacks.leafFrame(n);
    const k = frames.kinds[f]!;
    if (k >= wanted) return f;
    if (firstUser < 0 && k >= FrameKind.User) firstUser = f;
    if (firstNonRuntime < 0 && k >= FrameKind.Stdlib) firstNonRuntime = f;
    if (firstNonAllocator < 0 && !ALLOCATOR.test(frames.functionNames[f]!)) firstNonAllocator = f;
  }
  if (firstUser >= 0) return firstUser;
  if (firstNonRuntime >= 0) return firstNonRuntime;
  return firstNonAllocator >= 0 ? firstNonAllocator : leaf;
}

/**
 * Interns allocation sites and remembers the site of every stack, so each distinct stack is classified once
 * for the whole series, not once per snapshot.
 */
export class SiteTable {
  /** Sites by id. */
  readonly sites: AllocationSite[] = [];
  private readonly byKey = new Map<number, number>();
  private siteOfStack = new Int32Array(1024).fill(-1);

  constructor(
    readonly mode: SiteMode,
    private readonly stacks: StackTable,
    private readonly frames: FrameTable,
  ) {}

  /** Returns the site id of stack `stackId`, creating the site on first sight. */
  siteOf(stackId: number): number {
    if (stackId >= this.siteOfStack.length) {
      const grown = new Int32Array(Math.max(stackId + 1, this.siteOfStack.length * 2)).fill(-1);
      grown.set(this.siteOfStack);
      this.siteOfStack = grown;
    }
    const cached = this.siteOfStack[stackId]!;
    if (cached >= 0) return cached;
    const frameId = siteFrameOf(stackId, this.mode, this.stacks, this.frames);
    // Full-stack sites are keyed by the stack itself; the others by their frame (file:line + function).
    const key = this.mode === 'full-stack' ? stackId : frameId;
    let site = this.byKey.get(key);
    if (site === undefined) {
      site = this.sites.length;
      this.byKey.set(key, site);
      this.sites.push({
        id: site,
        frameId,
        function: frameId >= 0 ? this.frames.functionNames[frameId]! : '<no stack>',
        file: frameId >= 0 ? this.frames.fileNames[frameId]! : '',
        line: frameId >= 0 ? this.frames.lines[frameId]! : 0,
      });
    }
    this.siteOfStack[stackId] = site;
    return site;
  }

  /** The frames of a stack, innermost first, resolved to source frames. */
  stackFrames(stackId: number): SourceFrame[] {
    return this.stacks.frames(stackId).map((f) => ({
      function: this.frames.functionNames[f]!,
      file: this.frames.fileNames[f]!,
      line: this.frames.lines[f]!,
    }));
  }
}
