import {
  DEFAULT_LEAK_CONFIG,
  LeakConfigError,
  resolveLeakConfig,
  type LeakConfig,
  type LeakConfigInput,
} from '../leak/leakConfig';

/** One `leakhunt.thresholds.*` setting and the leak-config field it sets. */
export interface ThresholdSetting {
  /** The full setting key, e.g. `leakhunt.thresholds.watermark`. */
  key: string;
  /** The section of {@link LeakConfig} the value goes into. */
  section: 'heap' | 'goroutines' | 'container' | 'sli';
  /** The field inside that section. */
  field: string;
}

/** Every threshold exposed as a setting; the defaults and validation are those of `resolveLeakConfig`. */
export const THRESHOLD_SETTINGS: readonly ThresholdSetting[] = [
  { key: 'leakhunt.thresholds.watermark', section: 'container', field: 'watermarkRatio' },
  { key: 'leakhunt.thresholds.heap.minPoints', section: 'heap', field: 'minPoints' },
  { key: 'leakhunt.thresholds.heap.leakMinR2', section: 'heap', field: 'leakMinR2' },
  { key: 'leakhunt.thresholds.heap.noiseSamples', section: 'heap', field: 'noiseSamples' },
  { key: 'leakhunt.thresholds.heap.leakMinSamples', section: 'heap', field: 'leakMinSamples' },
  { key: 'leakhunt.thresholds.goroutines.minPoints', section: 'goroutines', field: 'minPoints' },
  { key: 'leakhunt.thresholds.goroutines.minGrowth', section: 'goroutines', field: 'minGrowth' },
  { key: 'leakhunt.thresholds.goroutines.minSlopePerMin', section: 'goroutines', field: 'minSlopePerMin' },
  { key: 'leakhunt.thresholds.sli.allocBytesPerSec', section: 'sli', field: 'allocBytesPerSec' },
  { key: 'leakhunt.thresholds.sli.liveObjects', section: 'sli', field: 'liveObjects' },
  { key: 'leakhunt.thresholds.sli.heapInuseRatio', section: 'sli', field: 'heapInuseRatio' },
];

/** The leak config built from threshold settings, and one message per value that was refused. */
export interface ThresholdConfig {
  config: LeakConfig;
  problems: string[];
}

function defaultOf(s: ThresholdSetting): unknown {
  return (DEFAULT_LEAK_CONFIG[s.section] as unknown as Record<string, unknown>)[s.field];
}

function overrideOf(s: ThresholdSetting, value: unknown): LeakConfigInput {
  return { [s.section]: { [s.field]: value } } as LeakConfigInput;
}

/**
 * Builds the leak config from setting values (`get(key)` returns undefined for an unset one). Each value is
 * validated on its own, so one bad setting falls back to its default with a message and the others still apply.
 */
export function thresholdConfig(get: (key: string) => unknown): ThresholdConfig {
  const problems: string[] = [];
  const input: Record<string, Record<string, unknown>> = {};
  for (const s of THRESHOLD_SETTINGS) {
    const value = get(s.key);
    if (value === undefined || value === null) continue;
    try {
      resolveLeakConfig(overrideOf(s, value));
    } catch (e) {
      if (!(e instanceof LeakConfigError)) throw e;
      problems.push(`${s.key}: ${e.message}; using the default ${String(defaultOf(s))}`);
      continue;
    }
    (input[s.section] ??= {})[s.field] = value;
  }
  return { config: resolveLeakConfig(input as LeakConfigInput), problems };
}
