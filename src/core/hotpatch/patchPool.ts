import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { appendAudit, readAudit, type AuditEntry, type FuncValueInfo } from './auditLog';
import { staticCandidateChecks } from './candidateChecks';
import type { DelveRpcClient } from './delveRpcClient';
import { LocalDelveHost, startDelve, type DelveHost, type DelveSession, type StartDelveOptions } from './delveProcess';
import { ElfFile, localByteSource, type ByteSource } from './elfFile';
import { delveExpr, linkerName, parseGoSymbol, resolveAgainst, type GoSymbol } from './goSymbol';
import { goVersionUnsupported } from './goVersionSupport';
import { HotpatchError, NoDebugInfoError } from './hotpatchErrors';
import type { PatchCheck } from './patchCheck';
import { assertAttachable, localProcessFacts, type ProcessFacts } from './processFacts';
import { sandboxChecks, type SandboxLimits } from './sandboxCheck';

/** Where the target runs and how to reach it; the local defaults read /proc and run dlv here. */
export interface TargetAccess {
  host: DelveHost;
  facts(pid: number): Promise<ProcessFacts>;
  openBinary(pid: number, facts: ProcessFacts): Promise<ByteSource>;
  /** Where split debug info may live, for a binary at `exe` with debug link `link` (Delve's search order). */
  debugFileExists(exe: string, link: string): Promise<boolean>;
}

/** Access to a process on this machine. */
export function localAccess(): TargetAccess {
  return {
    host: new LocalDelveHost(),
    facts: localProcessFacts,
    openBinary: (pid) => localByteSource(`/proc/${pid}/exe`),
    debugFileExists: (exe, link) => {
      const dir = path.dirname(exe.replace(/ \(deleted\)$/, ''));
      const places = [path.join(dir, link), path.join(dir, '.debug', link), path.join('/usr/lib/debug', dir, link)];
      return Promise.resolve(places.some((p) => existsSync(p)));
    },
  };
}

/** What to patch and how carefully. */
export interface HotpatchRequest {
  pid: number;
  /** The pool variable, `pkg.Var` or `import/path.Var`. */
  pool: string;
  /** The replacement: a `func() any` variable, or a top-level function (applied by a verified raw write). */
  with: string;
  /** Module root holding the sources of both (static and sandbox checks). */
  source: string;
  dryRun?: boolean;
  /** Asked after every check passed (they are passed along), while the target runs; false declines. Omitted means yes. */
  confirm?: (summary: string, checks: PatchCheck[]) => Promise<boolean>;
  dlvPath?: string;
  access?: TargetAccess;
  /** Folder of audit.jsonl (e.g. `<workspace>/.leakhunt` or `--out`). */
  auditDir?: string;
  limits?: SandboxLimits;
  attachTimeoutMs?: number;
  rpcTimeoutMs?: number;
  /** Progress messages for a UI. */
  onProgress?: (message: string) => void;
  /**
   * A Delve session that is already attached (the debug adapter's). It is borrowed: never detached or killed here,
   * and the target is left running or stopped as it was found.
   */
  session?: DelveSession;
  /** Called while the target is halted for the patch, before the write (tests use it to kill dlv mid-patch). */
  onHalted?: (session: DelveSession) => Promise<void>;
}

/** The outcome of a patch or rollback, in the CLI's JSON shape plus context. */
export interface HotpatchResult {
  applied: boolean;
  /** True when a check said no (exit 2); false for success and for errors. */
  refused: boolean;
  dryRun: boolean;
  checks: PatchCheck[];
  before?: FuncValueInfo;
  after?: FuncValueInfo;
  /** Milliseconds the target was halted for the write (halt → detach done). */
  frozenMs?: number;
  /** Milliseconds from starting dlv until the target ran again after the attach-time checks. */
  attachFrozenMs?: number;
  error?: string;
  errorCode?: string;
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** Reads a word-sized value through Delve and returns it as a number. */
async function readWord(client: DelveRpcClient, addrExpr: string): Promise<number> {
  const v = await client.eval(`*(*uintptr)(${addrExpr})`);
  const n = Number(v.value);
  if (!Number.isFinite(n)) throw new HotpatchError('rpc-error', `cannot read ${addrExpr}: '${v.value}'`);
  return n;
}

/** The funcval held by a func-typed lvalue (`pool.BufPool.New`), with the function it runs. */
async function readFuncValue(client: DelveRpcClient, lvalue: string): Promise<FuncValueInfo & { raw: number }> {
  const v = await client.eval(lvalue);
  const raw = await readWord(client, `uintptr(&${lvalue})`);
  return { function: v.value || 'nil', funcval: hex(raw), entry: hex(v.base), raw };
}

/** Everything resolved before any halt: names, mode and the funcval to write in the raw path. */
interface Plan {
  pool: GoSymbol;
  candidate: GoSymbol;
  mode: 'var' | 'func';
  /** Raw path: the funcval address and the entry it must hold. */
  funcval?: number;
  entry?: number;
}

function failed(checks: PatchCheck[]): PatchCheck[] {
  return checks.filter((c) => !c.passed);
}

/** Checks that need only the binary file: DWARF, Go version, symbols; resolves the plan. */
async function binaryChecks(
  req: HotpatchRequest,
  access: TargetAccess,
  facts: ProcessFacts,
  checks: PatchCheck[],
): Promise<{ plan?: Plan; goVersion?: string }> {
  const elf = await ElfFile.read(await access.openBinary(req.pid, facts));
  try {
    const link = await elf.debugLink();
    const dwarf = elf.hasDwarf() || (link !== undefined && (await access.debugFileExists(facts.exe, link)));
    checks.push({
      name: 'debug-info',
      passed: dwarf,
      detail: dwarf
        ? elf.hasDwarf()
          ? 'DWARF present'
          : `split debug info found (${link ?? ''})`
        : new NoDebugInfoError(facts.exe).message,
    });
    const goVersion = await elf.goVersion();
    checks.push({
      name: 'go-binary',
      passed: goVersion !== undefined,
      detail: goVersion ? `built with ${goVersion}` : 'no Go build info in the binary (not Go, or Go older than 1.18)',
    });
    if (!dwarf) return goVersion ? { goVersion } : {};
    const syms = await elf.symbols();
    const names = syms.map((s) => s.name);
    let pool: GoSymbol;
    let candidate: GoSymbol;
    try {
      pool = resolveAgainst(parseGoSymbol(req.pool), names);
      checks.push({ name: 'pool-symbol', passed: true, detail: linkerName(pool) });
    } catch (e) {
      checks.push({ name: 'pool-symbol', passed: false, detail: (e as Error).message });
      return goVersion ? { goVersion } : {};
    }
    try {
      candidate = resolveAgainst(parseGoSymbol(req.with), names);
    } catch (e) {
      checks.push({ name: 'candidate-symbol', passed: false, detail: (e as Error).message });
      return goVersion ? { goVersion } : {};
    }
    const sym = syms.find((s) => s.name === linkerName(candidate));
    if (sym?.type === 2) {
      // A top-level function: find the read-only funcval the compiler emitted for it.
      const desc = syms.find((s) => s.name === 'go:funcdesc')?.value;
      const fvs = await elf.funcvalsFor(sym.value, desc);
      const fv = fvs[0];
      checks.push({
        name: 'candidate-symbol',
        passed: fv !== undefined,
        detail:
          fv !== undefined
            ? `function ${linkerName(candidate)} at ${hex(sym.value)}, funcval ${hex(fv)}`
            : `the program never takes ${linkerName(candidate)}'s value, so the binary has no funcval for it; ` +
              `add 'var X func() any = ${candidate.name}' and reference it`,
      });
      const plan: Plan = { pool, candidate, mode: 'func', entry: sym.value };
      if (fv !== undefined) plan.funcval = fv;
      return goVersion ? { plan, goVersion } : { plan };
    }
    checks.push({ name: 'candidate-symbol', passed: true, detail: `variable ${linkerName(candidate)}` });
    return goVersion
      ? { plan: { pool, candidate, mode: 'var' }, goVersion }
      : { plan: { pool, candidate, mode: 'var' } };
  } finally {
    await elf.close();
  }
}

/** Checks through Delve while the target is stopped by the attach: Go version support, types, current values. */
async function delveChecks(client: DelveRpcClient, plan: Plan, checks: PatchCheck[]): Promise<{ expected?: number }> {
  const ver = await client.getVersion();
  const why = goVersionUnsupported(ver.TargetGoVersion, ver.MinSupportedVersionOfGo, ver.MaxSupportedVersionOfGo);
  checks.push({
    name: 'delve-go-version',
    passed: !why,
    detail:
      why ??
      `${ver.TargetGoVersion.replace(/^Go cmd\/compile /, '')} within Delve ${ver.DelveVersion.split('\n')[0]?.replace('Version: ', '')}'s ${ver.MinSupportedVersionOfGo}–${ver.MaxSupportedVersionOfGo}`,
  });
  const poolExpr = delveExpr(plan.pool);
  try {
    const p = await client.eval(poolExpr);
    checks.push({
      name: 'pool-type',
      passed: p.realType === 'sync.Pool',
      detail: p.realType === 'sync.Pool' ? `${p.name} is a sync.Pool` : `${p.name} is a ${p.realType}, not a sync.Pool`,
    });
  } catch (e) {
    checks.push({ name: 'pool-type', passed: false, detail: (e as Error).message });
  }
  if (plan.mode === 'var') {
    const candExpr = delveExpr(plan.candidate);
    try {
      const c = await client.eval(candExpr);
      const typeOk = c.realType === 'func() interface {}' || c.realType === 'func() any';
      const nonNil = c.value !== '' && c.value !== 'nil' && c.base !== 0;
      checks.push({
        name: 'candidate-type',
        passed: typeOk && nonNil,
        detail: !typeOk
          ? `${c.name} is a ${c.realType}, not func() any`
          : nonNil
            ? `${c.name} is a func() any holding ${c.value}`
            : `${c.name} is nil in the process`,
      });
      if (typeOk && nonNil) return { expected: await readWord(client, `uintptr(&${candExpr})`) };
    } catch (e) {
      checks.push({ name: 'candidate-type', passed: false, detail: (e as Error).message });
    }
    return {};
  }
  const fv = plan.funcval ?? 0;
  const held = await readWord(client, hex(fv));
  checks.push({
    name: 'candidate-funcval',
    passed: held === plan.entry,
    detail:
      held === plan.entry
        ? `funcval ${hex(fv)} holds ${linkerName(plan.candidate)}'s entry ${hex(held)}`
        : `funcval ${hex(fv)} holds ${hex(held)}, not the entry ${hex(plan.entry ?? 0)}`,
  });
  return held === plan.entry ? { expected: fv } : {};
}

/**
 * Ends a Delve session without ever leaving the target stopped: halt if it runs, detach (which resumes it), and if
 * anything fails or hangs, kill dlv so the kernel releases the target.
 */
export async function releaseTarget(session: DelveSession, timeoutMs = 3000): Promise<void> {
  try {
    // Short timeouts: if Delve is wedged, killing it releases the target sooner than waiting would.
    if (session.client.targetRunning) await session.client.call('Command', { name: 'halt' }, timeoutMs);
    await session.client.call('Detach', { Kill: false }, timeoutMs);
  } catch {
    // fall through to the kill: the kernel detaches a dead tracer's tracees and they run on
  } finally {
    await session.dispose();
  }
}

/** Writes a funcval address into the pool's New and checks it reads back as expected. */
async function writeAndVerify(
  client: DelveRpcClient,
  newLvalue: string,
  value: { var?: string; raw?: number },
  expected: number,
): Promise<FuncValueInfo & { raw: number }> {
  if (value.var) await client.set(newLvalue, value.var);
  else await client.set(`*(*uintptr)(uintptr(&${newLvalue}))`, hex(value.raw ?? 0));
  const after = await readFuncValue(client, newLvalue);
  if (after.raw !== expected)
    throw new HotpatchError(
      'verify-failed',
      `${newLvalue} reads ${after.funcval} after the write, expected ${hex(expected)}`,
    );
  return after;
}

/**
 * Hot-patches a live `sync.Pool`'s New: every check first (process, binary, static source checks, sandbox run),
 * then Delve attaches and checks types while the attach holds the target, lets it run, asks for confirmation, and
 * halts only for: read and record New → write → read back and verify → detach (which resumes the target). Every
 * path releases the target; every attempt is appended to the audit log.
 */
export async function hotpatchPool(req: HotpatchRequest): Promise<HotpatchResult> {
  const access = req.access ?? localAccess();
  const checks: PatchCheck[] = [];
  const result: HotpatchResult = { applied: false, refused: false, dryRun: !!req.dryRun, checks };
  const progress = req.onProgress ?? (() => undefined);
  let facts: ProcessFacts | undefined;
  let session: DelveSession | undefined;
  let detached = false;
  const borrowed = req.session;
  const wasRunning = borrowed?.client.targetRunning ?? true;
  try {
    facts = await access.facts(req.pid);
    // A borrowed session is our own tracer; only a fresh attach needs the kernel's permission.
    if (!borrowed) assertAttachable(facts);
    progress('checking the binary');
    const { plan } = await binaryChecks(req, access, facts, checks);
    if (!plan || failed(checks).length) return refuse(result);
    progress('checking the candidate source');
    const stat = await staticCandidateChecks({ moduleRoot: req.source, pool: plan.pool, candidate: plan.candidate });
    checks.push(...stat);
    const shapeOk = stat.every((c) => c.passed || !['candidate-source', 'signature'].includes(c.name));
    if (shapeOk) {
      progress('running the candidate in a sandbox build');
      checks.push(
        ...(await sandboxChecks({
          moduleRoot: req.source,
          pool: plan.pool,
          candidate: plan.candidate,
          ...(req.limits ? { limits: req.limits } : {}),
        })),
      );
    }
    if (failed(checks).length) return refuse(result);

    const t0 = performance.now();
    if (borrowed) {
      session = borrowed;
      if (wasRunning) await borrowed.client.halt();
    } else {
      progress(`attaching Delve to ${req.pid}`);
      session = await startDelve(access.host, delveOptions(req));
    }
    const client = session.client;
    const { expected } = await delveChecks(client, plan, checks);
    const newLvalue = `${delveExpr(plan.pool)}.New`;
    const before = await readFuncValue(client, newLvalue);
    result.before = strip(before);
    if (failed(checks).length || expected === undefined) return refuse(result);
    if (wasRunning) await client.continueRunning();
    result.attachFrozenMs = round(performance.now() - t0);
    if (req.dryRun) return result;
    if (req.confirm) {
      const ok = await req.confirm(
        `patch ${linkerName(plan.pool)}.New in process ${req.pid} (${facts.exe}) from ${before.function} to ${linkerName(plan.candidate)}`,
        checks,
      );
      if (!ok) {
        result.error = 'declined by the user';
        result.errorCode = 'declined';
        return result;
      }
    }

    progress('halting the target for the write');
    const tHalt = performance.now();
    if (wasRunning) await client.halt();
    await req.onHalted?.(session);
    const now = await readFuncValue(client, newLvalue);
    if (now.raw !== before.raw)
      throw new HotpatchError(
        'verify-failed',
        `${newLvalue} changed from ${before.function} to ${now.function} since the checks`,
      );
    let after: FuncValueInfo & { raw: number };
    try {
      after = await writeAndVerify(
        client,
        newLvalue,
        plan.mode === 'var' ? { var: delveExpr(plan.candidate) } : { raw: expected },
        expected,
      );
    } catch (e) {
      // Put the original back before letting go, whatever the write did.
      await client.set(`*(*uintptr)(uintptr(&${newLvalue}))`, hex(before.raw)).catch(() => undefined);
      throw e;
    }
    if (borrowed) {
      if (wasRunning) await client.continueRunning();
    } else {
      await client.detach();
      detached = true;
    }
    return applied(result, tHalt, after);
  } catch (err) {
    return failedWith(result, err);
  } finally {
    if (borrowed) {
      // Leave the borrowed session as found: running if it ran.
      if (wasRunning && !borrowed.client.targetRunning) await borrowed.client.continueRunning().catch(() => undefined);
    } else if (session) await (detached ? session.dispose() : releaseTarget(session));
    if (req.auditDir && facts) await appendAudit(req.auditDir, auditEntry('hotpatch', req, facts, access, result));
  }
}

function refuse(r: HotpatchResult): HotpatchResult {
  r.refused = true;
  const f = failed(r.checks);
  r.error = `refused by ${f.map((c) => c.name).join(', ')}: ${f[0]?.detail ?? ''}`;
  r.errorCode = 'refused';
  return r;
}

/** The attach options a hot-patch or rollback request carries, unset ones left to startDelve's defaults. */
function delveOptions(req: {
  pid: number;
  dlvPath?: string | undefined;
  attachTimeoutMs?: number | undefined;
  rpcTimeoutMs?: number | undefined;
}): StartDelveOptions {
  return {
    pid: req.pid,
    ...(req.dlvPath ? { dlvPath: req.dlvPath } : {}),
    ...(req.attachTimeoutMs ? { attachTimeoutMs: req.attachTimeoutMs } : {}),
    ...(req.rpcTimeoutMs ? { rpcTimeoutMs: req.rpcTimeoutMs } : {}),
  };
}

/** Records a verified write: how long the target was halted for it, and the value read back. */
function applied(result: HotpatchResult, tHalt: number, after: FuncValueInfo & { raw?: number }): HotpatchResult {
  result.frozenMs = round(performance.now() - tHalt);
  result.after = strip(after);
  result.applied = true;
  return result;
}

/** Records why an apply or rollback stopped (the target has been, or is being, released by the caller). */
function failedWith(result: HotpatchResult, err: unknown): HotpatchResult {
  result.error = err instanceof Error ? err.message : String(err);
  result.errorCode = err instanceof HotpatchError ? err.code : 'error';
  return result;
}

function strip(v: FuncValueInfo & { raw?: number }): FuncValueInfo {
  return { function: v.function, funcval: v.funcval, entry: v.entry };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function auditEntry(
  action: AuditEntry['action'],
  req: { pid: number; pool: string; with: string },
  facts: ProcessFacts,
  access: TargetAccess,
  r: HotpatchResult,
): AuditEntry {
  const entry: AuditEntry = {
    time: new Date().toISOString(),
    action,
    target: { host: access.host.name, pid: req.pid, exe: facts.exe, startTime: facts.startTime },
    pool: req.pool,
    candidate: req.with,
    checks: r.checks,
    result: r.applied
      ? 'applied'
      : r.refused
        ? 'refused'
        : r.error
          ? r.errorCode === 'declined'
            ? 'declined'
            : 'error'
          : 'dry-run',
  };
  if (r.before) entry.before = r.before;
  if (r.after) entry.after = r.after;
  if (r.frozenMs !== undefined) entry.frozenMs = r.frozenMs;
  if (r.error) entry.error = r.error;
  return entry;
}

/** What to roll back: the last applied patch of this process in the audit log. */
export interface RollbackRequest {
  pid: number;
  auditDir: string;
  /** Restrict to this pool (as written in the patch); default the last applied patch of the process. */
  pool?: string;
  dlvPath?: string;
  access?: TargetAccess;
  confirm?: (summary: string) => Promise<boolean>;
  attachTimeoutMs?: number;
  rpcTimeoutMs?: number;
}

/**
 * Restores the New recorded before the last applied patch of this process (same pid and start time), by a raw write
 * of the recorded funcval after verifying it still holds the recorded entry and that New still holds the patched one.
 */
export async function rollbackPool(req: RollbackRequest): Promise<HotpatchResult> {
  const access = req.access ?? localAccess();
  const checks: PatchCheck[] = [];
  const result: HotpatchResult = { applied: false, refused: false, dryRun: false, checks };
  let facts: ProcessFacts | undefined;
  let session: DelveSession | undefined;
  let last: AuditEntry | undefined;
  let detached = false;
  try {
    facts = await access.facts(req.pid);
    assertAttachable(facts);
    const log = await readAudit(req.auditDir);
    const f = facts;
    last = log
      .filter(
        (e) =>
          e.result === 'applied' &&
          e.target.pid === f.pid &&
          e.target.startTime === f.startTime &&
          (!req.pool || e.pool === req.pool),
      )
      .pop();
    checks.push({
      name: 'recorded-patch',
      passed: !!last?.before && !!last.after,
      detail: last
        ? `${last.action} of ${last.pool} at ${last.time}: ${last.before?.function} → ${last.after?.function}`
        : `no applied patch of process ${req.pid} (this start) in ${req.auditDir}/audit.jsonl`,
    });
    if (!last?.before || !last.after) return refuse(result);
    const before = last.before;
    const patched = last.after;
    const pool = parseGoSymbol(last.pool);
    const t0 = performance.now();
    session = await startDelve(access.host, delveOptions(req));
    const client = session.client;
    const newLvalue = `${delveExpr(pool)}.New`;
    const now = await readFuncValue(client, newLvalue);
    result.before = strip(now);
    checks.push({
      name: 'still-patched',
      passed: now.funcval === patched.funcval,
      detail:
        now.funcval === patched.funcval
          ? `${newLvalue} still holds ${now.function}`
          : `${newLvalue} holds ${now.function} (${now.funcval}), not the patched ${patched.function} (${patched.funcval})`,
    });
    const held = await readWord(client, before.funcval);
    checks.push({
      name: 'original-funcval',
      passed: hex(held) === before.entry,
      detail: `recorded funcval ${before.funcval} holds ${hex(held)} (${before.function} starts at ${before.entry})`,
    });
    if (failed(checks).length) return refuse(result);
    await client.continueRunning();
    result.attachFrozenMs = round(performance.now() - t0);
    if (req.confirm && !(await req.confirm(`restore ${newLvalue} in process ${req.pid} to ${before.function}`))) {
      result.error = 'declined by the user';
      result.errorCode = 'declined';
      return result;
    }
    const tHalt = performance.now();
    await client.halt();
    const raw = Number(before.funcval);
    const after = await writeAndVerify(client, newLvalue, { raw }, raw);
    await client.detach();
    detached = true;
    return applied(result, tHalt, after);
  } catch (err) {
    return failedWith(result, err);
  } finally {
    if (session) await (detached ? session.dispose() : releaseTarget(session));
    if (facts)
      await appendAudit(
        req.auditDir,
        auditEntry(
          'rollback',
          { pid: req.pid, pool: last?.pool ?? req.pool ?? '?', with: last?.before?.function ?? '?' },
          facts,
          access,
          result,
        ),
      );
  }
}
