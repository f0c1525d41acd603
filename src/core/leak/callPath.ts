import type { SourceFrame } from './allocationSite';

/**
 * Names one call path into a site by the site's callers along it, nearest first (`via a.f x.go:3 ← b.g y.go:9`):
 * the frames below the site are the same for every path, so the callers are what tell the paths apart. Runtime
 * frames are left out; at most `max` callers are named.
 */
export function callPathLabel(frames: readonly SourceFrame[], site: SourceFrame, max = 4): string {
  const at = frames.findIndex((f) => f.function === site.function && f.file === site.file && f.line === site.line);
  const above = frames.slice(at + 1).filter((f) => !f.function.startsWith('runtime.'));
  const shown = above
    .slice(0, max)
    .map((f) => `${f.function.split('/').pop()} ${f.file ? `${f.file.split('/').pop()}:${f.line}` : '?'}`);
  return shown.length > 0 ? `via ${shown.join(' ← ')}${above.length > max ? ' ← …' : ''}` : '(no callers)';
}
