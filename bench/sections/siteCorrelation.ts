/**
 * Bench section: static facts for runtime leak sites (runtime diagnostics). The static rules run on the package of a
 * site file that was never opened (StaticFactsCache.factsFor): a cold analysis when a snapshot first names the file
 * or its package changed, and the cache hit every later snapshot costs (hashing the package text). Reference measured
 * in the same run: what opening the same file in the editor costs (DocumentAnalyzer with the package as siblings).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DocumentAnalyzer } from '../../src/core/analysis/documentAnalyzer';
import { allRules } from '../../src/core/analysis/rules/index';
import { correlate } from '../../src/core/editor/correlateFindings';
import { StaticFactsCache, type PackageFile } from '../../src/core/editor/staticFactsCache';
import type { BenchContext, BenchSection } from '../benchSection';

const ROUNDS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function packageOf(dir: string): PackageFile[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.go'))
    .map((n) => ({ path: path.join(dir, n), text: readFileSync(path.join(dir, n), 'utf8') }));
}

async function measure(
  ctx: BenchContext,
  label: string,
  files: PackageFile[],
  file: string,
): Promise<{ label: string; files: number; kb: number; cold: number; hit: number; editor: number; findings: number }> {
  const opts = { rules: allRules, goVersion: undefined };
  const cold: number[] = [];
  const hit: number[] = [];
  const editor: number[] = [];
  let findings = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // A fresh cache each round: the parser is created once per cache, as once per extension session.
    const cache = new StaticFactsCache();
    await cache.functionsOf('/warm-up.go', 'package p\n');
    let t0 = performance.now();
    const facts = await cache.factsFor(files, file, opts);
    cold.push(performance.now() - t0);
    t0 = performance.now();
    const again = await cache.factsFor(
      files.map((f) => ({ ...f })),
      file,
      opts,
    );
    hit.push(performance.now() - t0);
    if (cache.stats.hits !== 1 || again.findings.length !== facts.findings.length)
      throw new Error(`the second call missed the cache: ${JSON.stringify(cache.stats)}`);
    // Correlating one site costs next to nothing; keep it honest by running it on the real facts.
    correlate([{ file, line: facts.functions[0]?.startLine ?? 1, role: 'site' }], () => facts);
    findings = facts.findings.length;
    cache.dispose();
    const self = files.find((f) => f.path === file)!;
    t0 = performance.now();
    const doc = await DocumentAnalyzer.create(file, self.text, opts);
    doc.setSiblings(files);
    doc.findings();
    editor.push(performance.now() - t0);
    doc.dispose();
  }
  const kb = files.reduce((n, f) => n + f.text.length, 0) / 1024;
  const r = { label, files: files.length, kb, cold: median(cold), hit: median(hit), editor: median(editor), findings };
  ctx.log(`${label}: cold ${r.cold.toFixed(1)} ms, hit ${r.hit.toFixed(2)} ms, editor open ${r.editor.toFixed(1)} ms`);
  return r;
}

async function run(ctx: BenchContext): Promise<string> {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const http = path.join(goroot, 'src', 'net', 'http');
  const demo = path.join(ctx.root, 'testdata', 'ecu-demo');
  const rows = [
    await measure(
      ctx,
      'ecu-demo cache/session_cache.go',
      packageOf(path.join(demo, 'cache')),
      path.join(demo, 'cache', 'session_cache.go'),
    ),
    await measure(
      ctx,
      'ecu-demo pool/buffers.go',
      packageOf(path.join(demo, 'pool')),
      path.join(demo, 'pool', 'buffers.go'),
    ),
    await measure(ctx, 'GOROOT net/http/server.go', packageOf(http), path.join(http, 'server.go')),
  ];
  const lines = [
    `Median of ${ROUNDS} rounds. _cold_: the first snapshot naming the file (parse + all rules over the package);`,
    '_hit_: every later snapshot while the package text is unchanged (hash of every file of the package);',
    '_editor open_ (reference, same run): the same file opened in the editor (DocumentAnalyzer with the package as siblings).',
    '',
    '| site file | package files | package KiB | findings in file | cold | cache hit | editor open (reference) | cold / editor | hit / editor |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.files} | ${r.kb.toFixed(0)} | ${r.findings} | ${r.cold.toFixed(1)} ms | ${r.hit.toFixed(2)} ms | ${r.editor.toFixed(1)} ms | ${(r.cold / r.editor).toFixed(2)}× | ${(r.hit / r.editor).toFixed(3)}× |`,
    ),
  ];
  return lines.join('\n');
}

const section: BenchSection = { title: 'Runtime site correlation: static facts of an unopened site file', run };
export default section;
