/**
 * `npm run bench`: runs every section in `bench/sections/` in file-name order and writes `bench/results.md`.
 * `npm run bench -- NAME...` runs only the sections whose file name contains one of the NAMEs.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import type { BenchSection } from './benchSection';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const dir = path.join(__dirname, 'sections');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  if (files.length === 0) throw new Error(`no bench section matches ${filters.join(', ')}`);
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-bench-'));
  const parts: string[] = [];
  try {
    for (const f of files) {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default: BenchSection };
      const section = mod.default;
      console.log(`== ${section.title}`);
      const md = await section.run({ root, tmpDir, log: (l) => console.log(`   ${l}`) });
      parts.push(`## ${section.title}\n\n${md.trim()}\n`);
      console.log(md);
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# leakhunt benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()}: Node ${process.version}, ${os.cpus().length} × ${cpu}, ` +
      `load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} at the end of the run (the machine may be shared; ratios are measured in the same run).`,
    '',
  ].join('\n');
  const out = path.join(__dirname, 'results.md');
  // Formatted like every other file in the repo, so `prettier --check .` stays green after a bench run.
  const options = (await prettier.resolveConfig(out)) ?? {};
  writeFileSync(out, await prettier.format(`${header}\n${parts.join('\n')}`, { ...options, parser: 'markdown' }));
  console.log(`wrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
