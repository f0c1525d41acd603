import { ProfileFormatError } from './profileErrors';

/**
 * Compiles a Go (RE2) regular expression as a JavaScript RegExp, for pprof-style name filters.
 * The common subset is identical; a leading `(?i)`/`(?s)`/`(?m)` flag group, which JavaScript lacks, becomes a flag.
 * Throws {@link ProfileFormatError} naming `what` when the pattern does not compile.
 */
export function goRegExp(source: string, what = 'regexp'): RegExp {
  let src = source;
  let flags = '';
  const m = /^\(\?([ims]+)\)/.exec(src);
  if (m) {
    flags = [...new Set(m[1]!)].join('');
    src = src.slice(m[0].length);
  }
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new ProfileFormatError(`parsing ${what} regexp ${JSON.stringify(source)}: ${(e as Error).message}`);
  }
}
