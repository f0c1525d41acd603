import type { Label, SampleTable } from './profileModel';

/**
 * Appends samples one at a time into growable typed arrays and freezes them into a {@link SampleTable};
 * used by operations (merge, scale, filters, text parsers) that produce a number of samples not known in advance.
 */
export class SampleTableBuilder {
  private values: Float64Array;
  private stackStart: Uint32Array;
  private locIndex: Uint32Array;
  private readonly labels: (Label[] | undefined)[] = [];
  private n = 0;
  private locs = 0;

  constructor(
    /** Number of values per sample. */
    readonly numTypes: number,
    capacity = 16,
  ) {
    const cap = Math.max(1, capacity);
    this.values = new Float64Array(cap * numTypes);
    this.stackStart = new Uint32Array(cap + 1);
    this.locIndex = new Uint32Array(cap * 4);
  }

  /** Number of samples added so far. */
  get count(): number {
    return this.n;
  }

  /** Appends one sample and returns its index; `values` must hold `numTypes` numbers starting at `valuesOffset`. */
  add(stack: ArrayLike<number>, values: ArrayLike<number>, labels: Label[] | undefined, valuesOffset = 0): number {
    const t = this.numTypes;
    if ((this.n + 1) * t > this.values.length || this.n + 2 > this.stackStart.length) {
      const cap = Math.max(16, this.n * 2);
      const v = new Float64Array(cap * t);
      v.set(this.values.subarray(0, this.n * t));
      this.values = v;
      const s = new Uint32Array(cap + 1);
      s.set(this.stackStart.subarray(0, this.n + 1));
      this.stackStart = s;
    }
    if (this.locs + stack.length > this.locIndex.length) {
      const l = new Uint32Array(Math.max(this.locIndex.length * 2, this.locs + stack.length));
      l.set(this.locIndex.subarray(0, this.locs));
      this.locIndex = l;
    }
    for (let j = 0; j < t; j++) this.values[this.n * t + j] = values[valuesOffset + j]!;
    this.stackStart[this.n] = this.locs;
    for (let j = 0; j < stack.length; j++) this.locIndex[this.locs + j] = stack[j]!;
    this.locs += stack.length;
    this.labels.push(labels && labels.length > 0 ? labels : undefined);
    this.n++;
    this.stackStart[this.n] = this.locs;
    return this.n - 1;
  }

  /** Adds `delta` (numTypes numbers from `deltaOffset`) to the values of an already added sample. */
  addValues(sample: number, delta: ArrayLike<number>, deltaOffset = 0): void {
    const t = this.numTypes;
    for (let j = 0; j < t; j++) this.values[sample * t + j]! += delta[deltaOffset + j]!;
  }

  /** Whether an already added sample's stack equals `stack`. */
  stackEquals(sample: number, stack: ArrayLike<number>): boolean {
    const a = this.stackStart[sample]!;
    const n = this.stackStart[sample + 1]! - a;
    if (n !== stack.length) return false;
    for (let k = 0; k < n; k++) if (this.locIndex[a + k] !== stack[k]) return false;
    return true;
  }

  /** Reads value `j` of an already added sample. */
  value(sample: number, j: number): number {
    return this.values[sample * this.numTypes + j]!;
  }

  /** Returns the finished table (trimmed copies; the builder should not be used afterwards). */
  build(): SampleTable {
    return {
      count: this.n,
      values: this.values.slice(0, this.n * this.numTypes),
      stackStart: this.stackStart.slice(0, this.n + 1),
      locIndex: this.locIndex.slice(0, this.locs),
      labels: this.labels,
    };
  }
}
