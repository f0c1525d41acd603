/** Parses `go1.26.8`, `1.27.0` or `Go cmd/compile go1.26.8` into [major, minor, patch]; undefined when absent. */
export function parseGoVersion(text: string): [number, number, number] | undefined {
  const m = /(?:go)?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/**
 * Whether Delve supports a target's Go version, the way Delve decides it: at least the minimum, and below the next
 * minor release after the maximum (Max 1.27.0 accepts any 1.27.x). Returns a reason when not.
 */
export function goVersionUnsupported(target: string, min: string, max: string): string | undefined {
  const t = parseGoVersion(target);
  const lo = parseGoVersion(min);
  const hi = parseGoVersion(max);
  if (!t) return `cannot read the target's Go version from '${target}'`;
  const cmp = (a: readonly number[], b: readonly number[]): number =>
    (a[0]! - b[0]!) * 1e6 + (a[1]! - b[1]!) * 1e3 + (a[2]! - b[2]!);
  if (lo && cmp(t, lo) < 0) return `go${t.join('.')} is older than the minimum go${lo.join('.')}`;
  if (hi && cmp(t, [hi[0], hi[1] + 1, 0]) >= 0)
    return `go${t.join('.')} is newer than the maximum go${hi[0]}.${hi[1]}.x`;
  return undefined;
}
