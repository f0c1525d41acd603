import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ecuDemoDir, goSources } from './ecuDemoService';

/** One planted leak site in a Go source tree, found by its `// leakhunt:planted ID` marker comment. */
export interface PlantedSite {
  id: string;
  /** Absolute path of the Go file. */
  file: string;
  /** Path relative to the module root, e.g. `can/reader.go`. */
  relFile: string;
  /** 1-based line of the marked statement. */
  line: number;
  /** The enclosing function as pprof names it, e.g. `example.com/ecu-demo/can.readFrames`. */
  function: string;
}

/**
 * Finds every `// leakhunt:planted ID` marker in a Go module and returns the sites by id, so tests never hard-code
 * line numbers. Function names follow pprof (`module/pkg.Func`, `module/pkg.(*T).Method`).
 */
export function plantedSites(dir: string = ecuDemoDir): Map<string, PlantedSite> {
  const modLine = /^module\s+(\S+)/m.exec(readFileSync(path.join(dir, 'go.mod'), 'utf8'));
  const modulePath = modLine?.[1] ?? '';
  const sites = new Map<string, PlantedSite>();
  for (const file of goSources(dir).filter((f) => f.endsWith('.go'))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const relFile = path.relative(dir, file);
    const relDir = path.dirname(relFile);
    const pkgPath = relDir === '.' ? 'main' : `${modulePath}/${relDir.split(path.sep).join('/')}`;
    lines.forEach((text, i) => {
      const m = /\/\/ leakhunt:planted ([\w-]+)/.exec(text);
      if (!m?.[1]) return;
      let fn = '?';
      for (let j = i; j >= 0; j--) {
        const f = /^func\s+(?:\(\s*\w*\s*(\*?)\s*(\w+)[^)]*\)\s*)?(\w+)/.exec(lines[j] ?? '');
        if (f) {
          fn = f[2] ? (f[1] ? `(*${f[2]}).${f[3]}` : `${f[2]}.${f[3]}`) : (f[3] ?? '?');
          break;
        }
      }
      sites.set(m[1], { id: m[1], file, relFile, line: i + 1, function: `${pkgPath}.${fn}` });
    });
  }
  return sites;
}
