import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../fixtures/ecuDemo';

const execFileP = promisify(execFile);
const corpus = path.resolve(repoRoot, '../shared/corpus/profiles');

/** Runs the bundled CLI as a user would and returns its exit code and output. */
async function runBinary(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...args], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('the built leakhunt binary (dist/cli.js)', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    // Build the bundle the way `npm run build` does, so this tests what ships.
    await execFileP(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], {
      cwd: repoRoot,
      timeout: 110_000,
    });
    dir = mkdtempSync(path.join(tmpdir(), 'leakhunt-bin-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('top and diff of real profiles exit 0 with a table / JSON', async () => {
    const heap = path.join(corpus, 'tinkerrogue-heap.pb.gz');
    const top = await runBinary(['top', heap]);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /Showing nodes accounting for .* total\n\s+flat\s+flat%/);
    const series = path.join(corpus, 'parca-heap-series');
    const d = await runBinary([
      'diff',
      '--format',
      'json',
      path.join(series, '1644509272337470000.pb.gz'),
      path.join(series, '1644509299337903000.pb.gz'),
    ]);
    assert.equal(d.code, 0, d.stderr);
    const report = JSON.parse(d.stdout) as { functions: unknown[]; sampleIndex: string };
    assert.equal(report.sampleIndex, 'inuse_space');
    assert.ok(report.functions.length > 0);
    const g = await runBinary([
      'top',
      path.join(corpus, 'goroutine-triplets', '1.net.http.pprof.goroutine.debug2.txt'),
    ]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /Type: goroutine/);
  });

  it('bad input exits 1 with a single stderr line and no stack trace', async () => {
    const html = path.join(dir, 'page.html');
    writeFileSync(html, '<html><body>404 page not found</body></html>');
    const cases: string[][] = [
      ['top', html],
      ['top', path.join(dir, 'nope.pb.gz')],
      ['top', '--sample-index', 'bogus', path.join(corpus, 'tinkerrogue-heap.pb.gz')],
      ['diff', path.join(corpus, 'scorestack-goroutine.pprof'), path.join(corpus, 'tinkerrogue-heap.pb.gz')],
    ];
    for (const args of cases) {
      const r = await runBinary(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.ok(!/\bat \S+ \(|\bat [/\w]+\.js:\d+/.test(r.stderr), `no stack frames: ${r.stderr}`);
      assert.match(r.stderr, /^leakhunt (top|diff): /);
    }
  });
});
