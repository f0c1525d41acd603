import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { THRESHOLD_SETTINGS, thresholdConfig } from '../../../src/core/editor/thresholdSettings';
import { DEFAULT_LEAK_CONFIG } from '../../../src/core/leak/leakConfig';

const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};

describe('thresholdConfig (leakhunt.thresholds.* settings to the leak config)', () => {
  it('gives the documented defaults when nothing is set', () => {
    const { config, problems } = thresholdConfig(() => undefined);
    assert.deepEqual(problems, []);
    assert.deepEqual(config, DEFAULT_LEAK_CONFIG);
  });

  it('declares every threshold in package.json with the leak-config default', () => {
    for (const s of THRESHOLD_SETTINGS) {
      const declared = pkg.contributes.configuration.properties[s.key];
      assert.ok(declared, `${s.key} is not declared`);
      const def = (DEFAULT_LEAK_CONFIG[s.section] as unknown as Record<string, unknown>)[s.field];
      assert.equal(declared.default, def, s.key);
    }
  });

  it('applies set values to their sections', () => {
    const values: Record<string, unknown> = {
      'leakhunt.thresholds.watermark': 0.8,
      'leakhunt.thresholds.heap.minPoints': 6,
      'leakhunt.thresholds.goroutines.minGrowth': 25,
      'leakhunt.thresholds.sli.liveObjects': 5e6,
    };
    const { config, problems } = thresholdConfig((k) => values[k]);
    assert.deepEqual(problems, []);
    assert.equal(config.container.watermarkRatio, 0.8);
    assert.equal(config.heap.minPoints, 6);
    assert.equal(config.goroutines.minGrowth, 25);
    assert.equal(config.sli.liveObjects, 5e6);
    assert.equal(config.heap.leakMinR2, DEFAULT_LEAK_CONFIG.heap.leakMinR2);
  });

  it('refuses a bad value with a message naming the setting, keeps its default and the other values', () => {
    const values: Record<string, unknown> = {
      'leakhunt.thresholds.watermark': 1.5,
      'leakhunt.thresholds.heap.minPoints': 1,
      'leakhunt.thresholds.sli.allocBytesPerSec': 'fast',
      'leakhunt.thresholds.goroutines.minGrowth': 3,
    };
    const { config, problems } = thresholdConfig((k) => values[k]);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^leakhunt\.thresholds\.watermark: .*\[0, 1\].*default 0\.9$/);
    assert.match(problems[1]!, /^leakhunt\.thresholds\.heap\.minPoints: .*at least 2/);
    assert.match(problems[2]!, /^leakhunt\.thresholds\.sli\.allocBytesPerSec: /);
    assert.equal(config.container.watermarkRatio, 0.9);
    assert.equal(config.heap.minPoints, 4);
    assert.equal(config.sli.allocBytesPerSec, 50e6);
    assert.equal(config.goroutines.minGrowth, 3);
  });
});
