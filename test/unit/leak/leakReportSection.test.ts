import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { leakReportSection } from '../../../src/core/leak/leakReportSection';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import { readSeriesIndexSync } from '../../../src/core/leak/readSeriesIndexSync';
import { renderWatchReport } from '../../../src/core/report/renderWatchReport';
import { buildWatchReport } from '../../../src/core/report/watchReport';
import { writeSeries } from './seriesFolder';

describe('leak/leakReportSection (the section leakhunt watch ends with)', () => {
  it('adds the leak analysis of the series folder to the watch report, as lines and as the report JSON', () => {
    const dir = writeSeries(4);
    try {
      const index = readSeriesIndexSync(dir)!;
      const report = buildWatchReport(
        {
          command: 'watch',
          target: 'http://127.0.0.1:6060',
          out: dir,
          snapshots: index.snapshots,
          snapshotsThisRun: 10,
          stoppedBy: 'count',
        },
        [leakReportSection()],
      );
      const section = report.sections.find((s) => s.id === 'leak');
      assert.ok(section);
      const data = section.data as LeakReport;
      assert.equal(data.heap!.suspects[0]!.verdict, 'leak');
      assert.equal(data.heap!.suspects[0]!.line, 48);
      assert.ok(section.lines.some((l) => /LEAK .*session\.go:48/.test(l)));
      assert.match(renderWatchReport(report, 'text'), /LEAK .*session\.go:48/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds nothing for a folder without an index', () => {
    const report = buildWatchReport(
      {
        command: 'watch',
        target: 't',
        out: '/nonexistent-leakhunt-dir',
        snapshots: [],
        snapshotsThisRun: 0,
        stoppedBy: 'count',
      },
      [leakReportSection()],
    );
    assert.equal(report.sections.length, 0);
  });
});
