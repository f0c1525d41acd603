/**
 * `npm run bench`: runs every section in `bench/sections/` in file-name order and writes `bench/results.md`.
 * `npm run bench -- NAME...` runs only the sections whose file name contains one of the NAMEs; the other
 * sections keep their previous results in the file.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import type { BenchSection } from './benchSection';

/** Splits an existing results file into its `## ` sections, by heading. */
function previousSections(file: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  for (const chunk of readFileSync(file, 'utf8')
    .split(/^(?=## )/m)
    .slice(1)) {
    const title = chunk.slice(3, chunk.indexOf('\n')).trim();
    out.set(title, chunk.trim());
  }
  return out;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  return `Node ${process.version}, ${os.cpus().length} × ${cpu}, load average ${load}`;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const dir = path.join(__dirname, 'sections');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const selected = new Set(files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))));
  if (selected.size === 0) throw new Error(`no bench section matches ${filters.join(', ')}`);
  const out = path.join(__dirname, 'results.md');
  const previous = previousSections(out);
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-bench-'));
  const parts: string[] = [];
  try {
    for (const f of files) {
      const section = ((await import(pathToFileURL(path.join(dir, f)).href)) as { default: BenchSection }).default;
      if (!selected.has(f)) {
        const kept = previous.get(section.title);
        if (kept) parts.push(kept);
        continue;
      }
      console.log(`== ${section.title}`);
      const md = await section.run({ root, tmpDir, log: (l) => console.log(`   ${l}`) });
      console.log(md);
      const when = `_Measured on ${new Date().toISOString()} (${machine()} at the end of the section; the machine may be shared, so ratios are measured within the same run)._`;
      parts.push(`## ${section.title}\n\n${when}\n\n${md.trim()}`);
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const text = `# leakhunt benchmark results\n\nWritten by \`npm run bench\`; each section says when it was last measured.\n\n${parts.join('\n\n')}\n`;
  // Formatted like every other file in the repo, so `prettier --check .` stays green after a bench run.
  const options = (await prettier.resolveConfig(out)) ?? {};
  writeFileSync(out, await prettier.format(text, { ...options, parser: 'markdown' }));
  console.log(`wrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
