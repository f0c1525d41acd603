import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleDocsMarkdown } from '../../../scripts/ruleDocsMarkdown';

// The README documents every rule with the same paragraph the hover shows; this keeps the two from drifting.
describe('README rule documentation', () => {
  it('has the generated section for every rule, word for word', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const m = /<!-- rules:start -->\n([\s\S]*?)<!-- rules:end -->/.exec(readme);
    assert.ok(m, 'README has the rules markers');
    const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
    assert.equal(
      norm(m[1] ?? ''),
      norm(ruleDocsMarkdown()),
      'run: node --import tsx scripts/ruleDocsMarkdown.ts --write',
    );
  });
});
