import type { LeakReport } from '../../src/core/leak/leakReport';
import { formatBytes } from '../../src/core/report/renderWatchReport';
import type { PlantedSite } from './plantedSites';

/** One behaviour planted in the demo ECU service, named by its `// leakhunt:planted ID` marker. */
export interface PlantedBehaviour {
  id: string;
  /** Where the report lists it: among heap sites or goroutine groups. */
  kind: 'heap' | 'goroutine';
  /** Whether the report must call it `leak` (true) or must not (false). */
  leak: boolean;
  what: string;
}

/**
 * The demo service's planted behaviours the demo checks (see testdata/ecu-demo/main.go). Ids only: the file and line
 * of each come from the marker comments, so editing the Go sources never leaves a stale line number here.
 */
export const DEMO_BEHAVIOURS: readonly PlantedBehaviour[] = [
  { id: 'can-reader-block', kind: 'goroutine', leak: true, what: 'CAN readers blocked on an unplugged device' },
  { id: 'map-unsafe-alloc', kind: 'heap', leak: true, what: 'sync.Map of unsafe.Pointer, never evicted' },
  { id: 'pool-leaky-new', kind: 'heap', leak: true, what: 'sync.Pool New that retains every buffer' },
  { id: 'churn-alloc', kind: 'heap', leak: false, what: 'allocation churn, freed right away' },
  { id: 'bounded-alloc', kind: 'heap', leak: false, what: 'bounded cache that plateaus at its cap' },
  { id: 'pool-fixed-new', kind: 'heap', leak: false, what: 'the fixed Pool New (unused until hot-patched)' },
];

/** Tells whether a report location (file, line) is the planted site. */
export type SiteMatcher = (loc: { file: string; line: number }, site: PlantedSite) => boolean;

/** Outcome of checking a report against the planted behaviours. */
export interface PlantedLeakCheck {
  /** Printable lines, one per behaviour, then a summary line. */
  lines: string[];
  /** Planted leaks the report calls `leak` at their exact file:line. */
  found: number;
  /** Planted leaks it does not. */
  missed: number;
  /** Non-leak sites it calls `leak`. */
  falseAlarms: number;
}

/**
 * Checks a leak report against the planted behaviours: each planted leak must be a `leak` suspect at its marker's
 * file:line, and no churn or bounded site may be. Says, for each, what the report called it.
 */
export function checkPlantedLeaks(
  report: LeakReport,
  sites: ReadonlyMap<string, PlantedSite>,
  matches: SiteMatcher,
  behaviours: readonly PlantedBehaviour[] = DEMO_BEHAVIOURS,
): PlantedLeakCheck {
  const lines: string[] = [];
  let found = 0;
  let missed = 0;
  let falseAlarms = 0;
  const width = Math.max(...behaviours.map((b) => (sites.get(b.id) ? siteName(sites.get(b.id)!) : b.id).length));
  for (const b of behaviours) {
    const site = sites.get(b.id);
    if (!site) {
      // A marker removed from the Go sources: the demo cannot say where to look, which is a failure either way.
      lines.push(
        `  ✗ ${b.leak ? 'MISSED     ' : 'UNCHECKED  '} ${b.id.padEnd(width)}  marker not found in the sources`,
      );
      if (b.leak) missed++;
      continue;
    }
    const hit =
      b.kind === 'heap'
        ? report.heap?.suspects.find((s) => matches(s, site))
        : report.goroutines?.suspects.find((s) => matches(s, site));
    const isLeak = hit?.verdict === 'leak';
    let detail: string;
    if (!hit) detail = 'not among the suspects';
    else if ('count' in hit) {
      detail = `${hit.verdict.toUpperCase()}${hit.proven ? ' (proven by the GC)' : ''}, ${hit.count} goroutines, ${signed(hit.slopePerMin.toFixed(0))}/min`;
    } else {
      detail = `${hit.verdict.toUpperCase()}, ${signed(formatBytes(hit.slopeBytesPerMin))}/min, ${formatBytes(hit.inuseBytes)} in use`;
    }
    let mark: string;
    if (b.leak) {
      if (isLeak) found++;
      else missed++;
      mark = isLeak ? '✓ leak found ' : '✗ MISSED     ';
    } else {
      if (isLeak) falseAlarms++;
      mark = isLeak ? '✗ FALSE ALARM' : '✓ not a leak ';
    }
    lines.push(`  ${mark} ${siteName(site).padEnd(width)}  ${b.what}: ${detail}`);
  }
  const leaks = behaviours.filter((b) => b.leak).length;
  lines.push(
    `${found} of ${leaks} planted leaks found at their file:line; ${falseAlarms} false alarm${falseAlarms === 1 ? '' : 's'}.`,
  );
  return { lines, found, missed, falseAlarms };
}

function siteName(s: PlantedSite): string {
  return `${s.relFile.split('\\').join('/')}:${s.line}`;
}

function signed(s: string): string {
  return s.startsWith('-') ? s : `+${s}`;
}
