import { appendFile, mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { PatchCheck } from './patchCheck';

/** A function value as seen in the target: the function's name, its funcval address and the code entry it holds. */
export interface FuncValueInfo {
  function: string;
  /** Address of the funcval (what the `New` field holds), hex. */
  funcval: string;
  /** Entry PC of the function the funcval points at, hex. */
  entry: string;
}

/** One line of `.leakhunt/audit.jsonl`: a patch or rollback attempt, whatever its outcome. */
export interface AuditEntry {
  time: string;
  action: 'hotpatch' | 'rollback';
  target: { host: string; pid: number; exe: string; startTime: string };
  pool: string;
  candidate: string;
  before?: FuncValueInfo;
  after?: FuncValueInfo;
  checks: PatchCheck[];
  result: 'applied' | 'refused' | 'dry-run' | 'declined' | 'error';
  frozenMs?: number;
  error?: string;
}

/** The audit file inside an output folder. */
export function auditFile(outDir: string): string {
  return path.join(outDir, 'audit.jsonl');
}

/** Appends one entry (one JSON line) to the audit log, creating the folder when needed. */
export async function appendAudit(outDir: string, entry: AuditEntry): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await appendFile(auditFile(outDir), `${JSON.stringify(entry)}\n`, 'utf8');
}

/** Reads every entry of the audit log (an absent file is an empty log; unreadable lines are skipped). */
export async function readAudit(outDir: string): Promise<AuditEntry[]> {
  let text: string;
  try {
    text = await readFile(auditFile(outDir), 'utf8');
  } catch {
    return [];
  }
  const out: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as AuditEntry);
    } catch {
      // a torn last line from a crash must not hide the rest
    }
  }
  return out;
}
