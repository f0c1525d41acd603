import type { Rule } from '../rule';
import { goroutineLeak } from './goroutineLeak';
import { lostCancel } from './lostCancel';
import { poolMisuse } from './poolMisuse';
import { syncMapMisuse } from './syncMapMisuse';
import { timerLeak } from './timerLeak';
import { unsafePointerEscape } from './unsafePointerEscape';

/** Every leak rule, in the order they are documented; the ids are part of leakhunt's interface. */
export const allRules: readonly Rule[] = [
  unsafePointerEscape,
  syncMapMisuse,
  goroutineLeak,
  timerLeak,
  lostCancel,
  poolMisuse,
];

/** Looks rules up by id; throws a clear error naming the unknown ids and the valid ones. */
export function selectRules(ids: readonly string[] | undefined): readonly Rule[] {
  if (!ids || ids.length === 0) return allRules;
  const unknown = ids.filter((id) => !allRules.some((r) => r.id === id));
  if (unknown.length > 0)
    throw new UnknownRuleError(
      `unknown rule ${unknown.join(', ')}; known rules: ${allRules.map((r) => r.id).join(', ')}`,
    );
  return allRules.filter((r) => ids.includes(r.id));
}

/** Raised when a caller names a rule id that does not exist. */
export class UnknownRuleError extends Error {
  override name = 'UnknownRuleError';
}
