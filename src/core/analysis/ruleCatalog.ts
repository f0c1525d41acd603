import type { Severity } from './finding';
import { allRules } from './rules/index';
import { INVALID_SUPPRESSION } from './suppression';

/** What the editor's hover, SARIF and the README show for one rule id. */
export interface RuleInfo {
  id: string;
  message: string;
  severity: Severity;
  docs: string;
}

/** Metadata for every id a finding can carry: the six rules plus the malformed-suppression report. */
export const ruleCatalog: readonly RuleInfo[] = [
  ...allRules.map(({ id, message, severity, docs }) => ({ id, message, severity, docs })),
  {
    id: INVALID_SUPPRESSION,
    message: 'suppression comment without a rule or a reason',
    severity: 'warning',
    docs:
      'A `//leakhunt:ignore RULE reason` comment silences findings of RULE on its own line and the line below. It ' +
      'must name a known rule and give a reason, so that every silenced finding says why it is not a leak; a ' +
      'suppression without one is reported and suppresses nothing.',
  },
];

/** Looks up a rule's metadata by id. */
export function ruleInfo(id: string): RuleInfo | undefined {
  return ruleCatalog.find((r) => r.id === id);
}
