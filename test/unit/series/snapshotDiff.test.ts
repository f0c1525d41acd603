import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { encodeProfile } from '../../../src/core/pprof/encodeProfile';
import { latestSeriesDir } from '../../../src/core/series/latestSeriesDir';
import type { SeriesIndex } from '../../../src/core/series/seriesIndex';
import {
  diffSnapshots,
  orderSnapshots,
  previousWithHeap,
  SeriesDiffError,
  snapshotHeapFile,
} from '../../../src/core/series/snapshotDiff';
import { goPprofTop } from '../../fixtures/goPprofTop';

const root = path.resolve(__dirname, '../../..');
const demo = path.join(root, 'testdata/demo-series');
const demoIndex = (): SeriesIndex => JSON.parse(readFileSync(path.join(demo, 'series.json'), 'utf8')) as SeriesIndex;

describe('snapshotDiff on the recorded demo series', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'snapdiff-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('encodes current − base so that go tool pprof -top of the export equals go tool pprof -base', async function () {
    this.timeout(120000);
    const index = demoIndex();
    const first = index.snapshots[0]!.seq;
    const last = index.snapshots.at(-1)!.seq;
    const out = path.join(tmp, 'diff.pb.gz');
    writeFileSync(out, encodeProfile(await diffSnapshots(demo, index, first, last)));
    const opts = { sampleIndex: 'inuse_space', unit: 'bytes' };
    const ours = goPprofTop(out, opts);
    const ref = goPprofTop(snapshotHeapFile(demo, index, last), {
      ...opts,
      base: snapshotHeapFile(demo, index, first),
    });
    assert.ok(ref.rows.length > 0);
    assert.equal(ours.total, ref.total);
    assert.deepEqual(ours.byName, ref.byName);
    assert.ok((ours.byName.get('example.com/ecu-demo/cache.storeSession')?.flat ?? 0) > 0);
  });

  it('refuses a missing snapshot, a snapshot without heap and a heap file outside the folder with a typed error', async () => {
    const index = demoIndex();
    await assert.rejects(diffSnapshots(demo, index, 1, 999), SeriesDiffError);
    const noHeap = structuredClone(index);
    delete noHeap.snapshots[1]!.files.heap;
    assert.throws(() => snapshotHeapFile(demo, noHeap, noHeap.snapshots[1]!.seq), /has no heap profile/);
    const evil = structuredClone(index);
    evil.snapshots[0]!.files.heap = '../../package.json';
    assert.throws(() => snapshotHeapFile(demo, evil, evil.snapshots[0]!.seq), /outside the folder/);
    const broken = structuredClone(index);
    broken.snapshots[0]!.files.heap = 'series.json';
    await assert.rejects(diffSnapshots(demo, broken, broken.snapshots[0]!.seq, 2), SeriesDiffError);
  });

  it('finds the previous snapshot with a heap profile and orders a pair by time', () => {
    const index = demoIndex();
    const [a, b, c] = index.snapshots;
    assert.ok(a && b && c);
    assert.equal(previousWithHeap(index, a.seq), undefined);
    assert.equal(previousWithHeap(index, c.seq)?.seq, b.seq);
    const holey = structuredClone(index);
    delete holey.snapshots[1]!.files.heap;
    assert.equal(previousWithHeap(holey, c.seq)?.seq, a.seq);
    assert.deepEqual(
      orderSnapshots(c, a).map((s) => s.seq),
      [a.seq, c.seq],
    );
  });
});

describe('latestSeriesDir', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'latest-series-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('picks the most recently updated series folder and ignores folders without series.json', async () => {
    assert.equal(await latestSeriesDir(path.join(tmp, 'missing')), undefined);
    const mk = (rel: string, ageS: number | undefined): string => {
      const d = path.join(tmp, rel);
      mkdirSync(d, { recursive: true });
      if (ageS !== undefined) {
        const f = path.join(d, 'series.json');
        writeFileSync(f, '{}');
        const t = Date.now() / 1000 - ageS;
        utimesSync(f, t, t);
      }
      return d;
    };
    mk('a/old', 100);
    const newest = mk('b/new', 10);
    mk('c/empty', undefined);
    assert.equal(await latestSeriesDir(tmp), newest);
  });
});
