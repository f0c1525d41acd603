/**
 * Hash-consed call stacks: every distinct stack of frame ids gets one integer id, stable across snapshots.
 *
 * Stacks are stored as a trie from the root (outermost frame) towards the leaf, so stacks sharing callers share
 * nodes and a stack id is simply its leaf-most node. The child lookup is an open-addressing hash table over
 * typed arrays; a Map keyed by joined strings costs several times more (see FACTS.md, "Aggregation").
 */
export class StackTable {
  /** Parent node of each node (-1 for the root, node 0 = the empty stack). */
  private parent: Int32Array;
  /** Frame id of each node's innermost frame (-1 for the root). */
  private frame: Int32Array;
  private count = 1;
  // Open addressing: slot -> node id + 1 (0 = empty); the key is (parent, frame) of that node.
  private slots: Int32Array;
  private mask: number;

  /** Id of the empty stack (a sample without locations). */
  static readonly EMPTY = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, 1 << Math.ceil(Math.log2(initialCapacity)));
    this.parent = new Int32Array(cap);
    this.frame = new Int32Array(cap);
    this.parent[0] = -1;
    this.frame[0] = -1;
    this.slots = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }

  /** Number of nodes (stacks and their caller prefixes, plus the empty stack). */
  get size(): number {
    return this.count;
  }

  /** Returns the node for `frameId` called from stack `parentId`, creating it on first sight. */
  child(parentId: number, frameId: number): number {
    let h = hash(parentId, frameId) & this.mask;
    for (;;) {
      const s = this.slots[h]!;
      if (s === 0) break;
      const node = s - 1;
      if (this.parent[node] === parentId && this.frame[node] === frameId) return node;
      h = (h + 1) & this.mask;
    }
    const node = this.count++;
    if (node >= this.parent.length) this.growNodes();
    this.parent[node] = parentId;
    this.frame[node] = frameId;
    this.slots[h] = node + 1;
    // Keep the load factor under 1/2 so probe chains stay short.
    if (this.count * 2 > this.slots.length / 2) this.rehash();
    return node;
  }

  /** Frame id at the innermost end of stack `id` (-1 for the empty stack). */
  leafFrame(id: number): number {
    return this.frame[id]!;
  }

  /** The caller stack of `id` (-1 above the empty stack). */
  parentOf(id: number): number {
    return this.parent[id]!;
  }

  /** The frame ids of stack `id`, innermost (leaf) first. */
  frames(id: number): number[] {
    const out: number[] = [];
    for (let n = id; n > 0; n = this.parent[n]!) out.push(this.frame[n]!);
    return out;
  }

  /** Bytes held by the typed arrays, for memory accounting in benchmarks. */
  get byteSize(): number {
    return this.parent.byteLength + this.frame.byteLength + this.slots.byteLength;
  }

  private growNodes(): void {
    const p = new Int32Array(this.parent.length * 2);
    p.set(this.parent);
    this.parent = p;
    const f = new Int32Array(this.frame.length * 2);
    f.set(this.frame);
    this.frame = f;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let node = 1; node < this.count; node++) {
      let h = hash(this.parent[node]!, this.frame[node]!) & mask;
      while (slots[h] !== 0) h = (h + 1) & mask;
      slots[h] = node + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function hash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
