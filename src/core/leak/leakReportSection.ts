import type { ReportSection, ReportSectionBuilder } from '../report/watchReport';
import { readSeriesIndexSync } from './readSeriesIndexSync';
import { LeakAnalyzer } from './leakAnalyzer';
import { resolveLeakConfig, type LeakConfig } from './leakConfig';
import { loadSeriesIntoSync } from './loadSeries';
import { renderText } from './renderReport';

/**
 * Makes the report section `leakhunt watch` ends with: the leak analysis of the series folder it just wrote
 * (heap sites, goroutine groups, container, SLIs), as text lines and as the report JSON.
 */
export function leakReportSection(config: LeakConfig = resolveLeakConfig(), window = 60): ReportSectionBuilder {
  return (input): ReportSection | undefined => {
    const index = readSeriesIndexSync(input.out);
    if (!index) return undefined;
    const analyzer = new LeakAnalyzer({ config, window });
    const loaded = loadSeriesIntoSync(input.out, index, analyzer, { window });
    const report = analyzer.report(input.target);
    const lines = renderText(report).trimEnd().split('\n');
    for (const p of loaded.problems) lines.push(`! ${p}`);
    return { id: 'leak', title: 'Leak analysis', lines, data: report };
  };
}
