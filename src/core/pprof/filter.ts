import { goRegExp } from './goRegExp';
import type { Line, Location, Profile } from './profileModel';
import { sampleStack } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';

/** Name filters, each a Go-syntax regexp string or a RegExp, mirroring `go tool pprof`'s flags of the same names. */
export interface NameFilters {
  /** `-focus`: keep only samples with at least one frame whose function name, file name or mapping file matches. */
  focus?: RegExp | string;
  /** `-ignore`: drop samples with any frame whose function name, file name or mapping file matches. */
  ignore?: RegExp | string;
  /** `-hide`: remove matching frames from stacks (samples are kept; one left with no frame is dropped). */
  hide?: RegExp | string;
  /** `-show`: keep only matching frames in stacks (samples left with no frame are dropped). */
  show?: RegExp | string;
}

/** Whether each given filter matched anything, as pprof reports ("no matches found for regexp ..."). */
export interface FilterMatches {
  focus: boolean;
  ignore: boolean;
  hide: boolean;
  show: boolean;
}

/**
 * Filters samples by function/file name like google/pprof's `Profile.FilterSamplesByName` (the `-focus`, `-ignore`,
 * `-hide` and `-show` flags). A location matches when any of its lines' function name or file name matches, or its
 * mapping's file does. Returns a new profile (locations changed by hide/show are copied) and which filters matched.
 */
export function filterSamplesByName(p: Profile, filters: NameFilters): { profile: Profile; matched: FilterMatches } {
  const focus = rx(filters.focus, 'focus');
  const ignore = rx(filters.ignore, 'ignore');
  const hide = rx(filters.hide, 'hide');
  const show = rx(filters.show, 'show');
  const matched: FilterMatches = { focus: false, ignore: false, hide: false, show: false };
  if (!focus && !ignore && !hide && !show) return { profile: p, matched: { ...matched, focus: true } };

  // 1 = focused, -1 = ignored, 0 = neither.
  const focusOrIgnore = new Int8Array(p.locations.length);
  const hidden = new Uint8Array(p.locations.length);
  let anyHidden = false;
  const locations = p.locations.map((l0, i): Location => {
    let l = l0;
    if (ignore && matchesName(l, ignore)) {
      matched.ignore = true;
      focusOrIgnore[i] = -1;
    } else if (!focus || matchesName(l, focus)) {
      matched.focus = true;
      focusOrIgnore[i] = 1;
    }
    if (hide && matchesName(l, hide)) {
      matched.hide = true;
      l = { ...l, lines: unmatchedLines(l, hide) };
      if (l.lines.length === 0) hidden[i] = 1;
    }
    if (show) {
      l = { ...l, lines: matchedLines(l, show) };
      if (l.lines.length === 0) hidden[i] = 1;
      else matched.show = true;
    }
    anyHidden ||= hidden[i] === 1;
    return l;
  });

  const src = p.samples;
  const t = p.sampleTypes.length;
  const out = new SampleTableBuilder(t, src.count);
  for (let i = 0; i < src.count; i++) {
    let stack: ArrayLike<number> = sampleStack(src, i);
    let focused = false;
    let ignored = false;
    for (let k = 0; k < stack.length; k++) {
      const f = focusOrIgnore[stack[k]!]!;
      if (f === -1) {
        ignored = true;
        break;
      }
      if (f === 1) focused = true;
    }
    if (ignored || !focused) continue;
    if (anyHidden) {
      stack = Array.from(stack).filter((li) => hidden[li] !== 1);
      if (stack.length === 0) continue;
    }
    out.add(stack, src.values, src.labels[i], i * t);
  }
  return { profile: { ...p, locations, samples: out.build() }, matched };
}

function rx(v: RegExp | string | undefined, what: string): RegExp | undefined {
  if (v === undefined || v === '') return undefined;
  return typeof v === 'string' ? goRegExp(v, what) : v;
}

function lineMatches(ln: Line, re: RegExp): boolean {
  return re.test(ln.function.name) || re.test(ln.function.filename);
}

/** pprof's `Location.matchesName`: any line's function or file name, or the mapping's file. */
export function matchesName(l: Location, re: RegExp): boolean {
  if (l.lines.some((ln) => lineMatches(ln, re))) return true;
  return l.mapping !== undefined && re.test(l.mapping.file);
}

function unmatchedLines(l: Location, re: RegExp): Line[] {
  if (l.mapping !== undefined && re.test(l.mapping.file)) return [];
  return l.lines.filter((ln) => !lineMatches(ln, re));
}

function matchedLines(l: Location, re: RegExp): Line[] {
  if (l.mapping !== undefined && re.test(l.mapping.file)) return l.lines;
  return l.lines.filter((ln) => lineMatches(ln, re));
}
