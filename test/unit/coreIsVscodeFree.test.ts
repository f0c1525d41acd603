import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// src/core is shared by the CLI and the extension, so it must load in plain Node without the vscode module.
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/core', () => {
  it('never imports vscode', () => {
    const files = tsFiles(join(__dirname, '../../src/core'));
    assert.ok(files.length > 0, 'no core files found');
    const offenders = files.filter((f) =>
      /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    assert.deepEqual(offenders, []);
  });

  it('the check catches an import of vscode', () => {
    assert.ok(/(?:from\s+['"]vscode['"])/.test(`import * as vscode from 'vscode';`));
  });
});
