import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleCatalog } from '../src/core/analysis/ruleCatalog';

/** Renders the static rules' ids, severities, messages and documentation as the README's rules section. */
export function ruleDocsMarkdown(): string {
  return ruleCatalog
    .map((r) => `### \`${r.id}\` (${r.severity})\n\n_${r.message}._ ${r.docs.replace(/\s+/g, ' ').trim()}\n`)
    .join('\n');
}

// `node --import tsx scripts/ruleDocsMarkdown.ts --write` refreshes the README section between its markers.
if (require.main === module) {
  const file = join(__dirname, '..', 'README.md');
  const readme = readFileSync(file, 'utf8');
  const next = readme.replace(
    /(<!-- rules:start -->\n)[\s\S]*?(<!-- rules:end -->)/,
    (_m, a: string, b: string) => `${a}\n${ruleDocsMarkdown()}\n${b}`,
  );
  if (process.argv.includes('--write')) writeFileSync(file, next);
  else process.stdout.write(ruleDocsMarkdown());
}
