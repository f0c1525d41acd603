/**
 * Reads one Go double-quoted string literal (as written by `%q` / `strconv.Quote`) starting at `s[start]`, returning
 * its value and the index after the closing quote, or `undefined` if there is no well-formed literal there.
 * Needed because pprof labels in text profiles are Go-quoted, which is not always valid JSON (`\x00`, `\a`, `\U...`).
 */
export function readGoString(s: string, start: number): { value: string; end: number } | undefined {
  if (s[start] !== '"') return undefined;
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
      i += 2;
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = s.slice(i + 2, i + 2 + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) return undefined;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i += 2 + hexLen;
      continue;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      const oct = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 4;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Parses a Go-quoted label map such as `{"k":"v", "k2": "v2"}` into key/value pairs in order; `undefined` if malformed. */
export function parseGoLabelMap(s: string): [string, string][] | undefined {
  const t = s.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  const out: [string, string][] = [];
  let i = 1;
  const skip = (): void => {
    while (t[i] === ' ') i++;
  };
  skip();
  if (t[i] === '}') return i === t.length - 1 ? out : undefined;
  for (;;) {
    skip();
    const k = readGoString(t, i);
    if (!k) return undefined;
    i = k.end;
    skip();
    if (t[i] !== ':') return undefined;
    i++;
    skip();
    const v = readGoString(t, i);
    if (!v) return undefined;
    i = v.end;
    out.push([k.value, v.value]);
    skip();
    if (t[i] === ',') {
      i++;
      continue;
    }
    return t[i] === '}' && i === t.length - 1 ? out : undefined;
  }
}
