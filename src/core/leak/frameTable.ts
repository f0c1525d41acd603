import { classifyFunction, FrameKind } from './goPackage';

/**
 * Interns source frames (function, file, line) into dense integer ids that stay stable across snapshots.
 *
 * Location ids in Go profiles are per profile, but the frames they symbolize are not, so a long series keys
 * everything by frame id: each distinct frame's strings are stored once however many snapshots mention it.
 */
export class FrameTable {
  private readonly ids = new Map<string, number>();
  private readonly kindByFunction = new Map<string, FrameKind>();
  /** Function name of each frame id. */
  readonly functionNames: string[] = [];
  /** File name of each frame id. */
  readonly fileNames: string[] = [];
  /** Line number of each frame id. */
  readonly lines: number[] = [];
  /** {@link FrameKind} of each frame id. */
  readonly kinds: FrameKind[] = [];

  constructor(private readonly userModules: readonly string[] = []) {}

  /** Number of distinct frames seen. */
  get size(): number {
    return this.functionNames.length;
  }

  /** Returns the id of the frame, creating it on first sight. */
  intern(functionName: string, fileName: string, line: number): number {
    const key = `${functionName}\u0000${fileName}\u0000${line}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.functionNames.length;
      this.ids.set(key, id);
      this.functionNames.push(functionName);
      this.fileNames.push(fileName);
      this.lines.push(line);
      this.kinds.push(this.kindOf(functionName));
    }
    return id;
  }

  private kindOf(functionName: string): FrameKind {
    let k = this.kindByFunction.get(functionName);
    if (k === undefined) {
      k = classifyFunction(functionName, this.userModules);
      this.kindByFunction.set(functionName, k);
    }
    return k;
  }
}
