import type { Finding, SkippedFile } from './finding';
import { ruleCatalog } from './ruleCatalog';

/** Formats findings one per line, `file:line:col: severity: message [rule]`, as compilers and vet print them. */
export function formatText(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}]\n`).join('');
}

/** The JSON document of `leakhunt lint --format json`: file count and findings with 1-based positions. */
export function formatJson(files: number, findings: readonly Finding[]): string {
  const out = {
    files,
    findings: findings.map(({ rule, file, line, column, endLine, endColumn, severity, message }) => ({
      rule,
      file,
      line,
      column,
      endLine,
      endColumn,
      severity,
      message,
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/**
 * A SARIF 2.1.0 log for code scanning: one run, rule metadata (short and full description, help, default level),
 * results with UTF-16 columns relative to `%SRCROOT%`, and skipped files as tool execution notifications.
 */
export function formatSarif(
  findings: readonly Finding[],
  skipped: readonly SkippedFile[],
  opts: { srcRoot: string; version: string },
): string {
  const rules = ruleCatalog.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.message },
    fullDescription: { text: r.docs.replace(/`/g, '') },
    help: { text: r.docs.replace(/`/g, ''), markdown: r.docs },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['leak', 'reliability'] },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const uri = (file: string): string => file.split(/[\\/]/).map(encodeURIComponent).join('/');
  // Files outside the source root keep an absolute file: URI; SARIF forbids a base id on those.
  const artifact = (file: string): { uri: string; uriBaseId?: string } =>
    file.startsWith('/') ? { uri: `file://${uri(file)}` } : { uri: uri(file), uriBaseId: '%SRCROOT%' };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'leakhunt',
            version: opts.version,
            informationUri: 'https://example.invalid/leakhunt',
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': {
            uri: `file://${opts.srcRoot.split('/').map(encodeURIComponent).join('/').replace(/\/?$/, '/')}`,
          },
        },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: skipped.map((s) => ({
              level: 'warning',
              message: { text: `skipped: ${s.reason}` },
              locations: [{ physicalLocation: { artifactLocation: artifact(s.file) } }],
            })),
          },
        ],
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? -1,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact(f.file),
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
