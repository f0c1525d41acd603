import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { packageDir } from './candidateChecks';
import { packageName, type GoSymbol } from './goSymbol';
import type { PatchCheck } from './patchCheck';

/** Limits of the dynamic sandbox check (seed 4.3 defaults). */
export interface SandboxLimits {
  /** Slowest acceptable candidate call, in nanoseconds (default 5 ms). */
  maxNsPerCall: number;
  /** Extra bytes per call the candidate may allocate beyond the original (default 1 KiB). */
  maxExtraBytesPerCall: number;
}

/** The seed's limits: 5 ms per call, and no more than the original plus 1 KiB per call. */
export const defaultSandboxLimits: SandboxLimits = { maxNsPerCall: 5_000_000, maxExtraBytesPerCall: 1024 };

/** What the harness measured for one function. */
export interface SandboxMeasure {
  type: string;
  nsPerCall: number;
  allocsPerCall: number;
  bytesPerCall: number;
  panic?: string;
}

/** The harness's report for the original New and the candidate. */
export interface SandboxReport {
  original: SandboxMeasure;
  candidate: SandboxMeasure;
}

/** Options of the dynamic check. */
export interface SandboxOptions {
  moduleRoot: string;
  pool: GoSymbol;
  candidate: GoSymbol;
  limits?: SandboxLimits;
  /** The go command (default `go`). */
  goPath?: string;
  timeoutMs?: number;
}

const marker = 'LEAKHUNT_SANDBOX ';

/** Go source of the harness: calls both functions, compares reflect.TypeOf, measures time, allocs and bytes per call. */
export function harnessSource(poolPkgName: string, poolVar: string, candExpr: string, candImport?: string): string {
  return `package ${poolPkgName}

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
${candImport ? `\tlhcand ${JSON.stringify(candImport)}\n` : ''})

var leakhuntSink any

type leakhuntMeasure struct {
	Type          string  \`json:"type"\`
	NsPerCall     float64 \`json:"nsPerCall"\`
	AllocsPerCall float64 \`json:"allocsPerCall"\`
	BytesPerCall  float64 \`json:"bytesPerCall"\`
	Panic         string  \`json:"panic,omitempty"\`
}

func leakhuntMeasureFn(f func() any) (m leakhuntMeasure) {
	defer func() {
		if r := recover(); r != nil {
			m.Panic = fmt.Sprint(r)
		}
	}()
	if f == nil {
		m.Panic = "nil function"
		return
	}
	start := time.Now()
	v := f()
	first := time.Since(start)
	m.Type = fmt.Sprint(reflect.TypeOf(v))
	n := 200
	if first > 5*time.Millisecond {
		n = 3 // already too slow; a few calls confirm it without running for minutes
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start = time.Now()
	for i := 0; i < n; i++ {
		leakhuntSink = f()
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	m.NsPerCall = float64(elapsed.Nanoseconds()) / float64(n)
	m.BytesPerCall = float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	m.AllocsPerCall = testing.AllocsPerRun(n, func() { leakhuntSink = f() })
	return m
}

func TestLeakhuntSandbox(t *testing.T) {
	orig := ${poolVar}.New
	cand := ${candExpr}
	out, _ := json.Marshal(map[string]leakhuntMeasure{
		"original":  leakhuntMeasureFn(orig),
		"candidate": leakhuntMeasureFn(cand),
	})
	fmt.Println(${JSON.stringify(marker)} + string(out))
}
`;
}

/** Judges a harness report against the limits; returns the named checks. */
export function judgeSandbox(r: SandboxReport, limits: SandboxLimits = defaultSandboxLimits): PatchCheck[] {
  const c = r.candidate;
  const o = r.original;
  if (c.panic || o.panic) {
    return [
      {
        name: 'sandbox-run',
        passed: false,
        detail: c.panic ? `candidate panicked: ${c.panic}` : `current New panicked: ${o.panic ?? ''}`,
      },
    ];
  }
  const extra = c.bytesPerCall - o.bytesPerCall;
  return [
    {
      name: 'sandbox-type',
      passed: c.type === o.type,
      detail:
        c.type === o.type ? `both return ${c.type}` : `candidate returns ${c.type}, current New returns ${o.type}`,
    },
    {
      name: 'sandbox-speed',
      passed: c.nsPerCall <= limits.maxNsPerCall,
      detail: `${fmtNs(c.nsPerCall)}/call (current New ${fmtNs(o.nsPerCall)}, limit ${fmtNs(limits.maxNsPerCall)})`,
    },
    {
      name: 'sandbox-allocs',
      passed: extra <= limits.maxExtraBytesPerCall,
      detail:
        `${Math.round(c.bytesPerCall)} B and ${c.allocsPerCall} allocs/call (current New ${Math.round(o.bytesPerCall)} B, ` +
        `${o.allocsPerCall} allocs; limit +${limits.maxExtraBytesPerCall} B)`,
    },
  ];
}

function fmtNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${Math.round(ns)} ns`;
}

/**
 * The dynamic sandbox check: builds a test harness into the pool's package through `go test -overlay` (the harness
 * lives in a temp dir; nothing is written into the user's tree), runs it, and judges the candidate against the
 * current New by dynamic type, time and bytes per call.
 */
export async function sandboxChecks(opts: SandboxOptions): Promise<PatchCheck[]> {
  let poolDir: string | undefined;
  try {
    poolDir = packageDir(opts.moduleRoot, opts.pool.pkg);
  } catch {
    poolDir = undefined; // no go.mod: reported below like a missing package
  }
  if (!poolDir)
    return [
      { name: 'sandbox-run', passed: false, detail: `package ${opts.pool.pkg} not found under ${opts.moduleRoot}` },
    ];
  const samePkg = opts.pool.pkg === opts.candidate.pkg;
  const candExpr = samePkg ? opts.candidate.name : `lhcand.${opts.candidate.name}`;
  const dirName = path.basename(poolDir);
  const tmp = await mkdtemp(path.join(tmpdir(), 'leakhunt-sandbox-'));
  try {
    const harness = path.join(tmp, 'harness_test.go');
    const pkgName = opts.pool.pkg === 'main' ? 'main' : packageName(opts.pool) || dirName;
    await writeFile(
      harness,
      harnessSource(pkgName, opts.pool.name, candExpr, samePkg ? undefined : opts.candidate.pkg),
    );
    const overlay = path.join(tmp, 'overlay.json');
    await writeFile(
      overlay,
      JSON.stringify({ Replace: { [path.join(poolDir, 'zz_leakhunt_sandbox_test.go')]: harness } }),
    );
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        opts.goPath ?? 'go',
        ['test', `-overlay=${overlay}`, '-run', '^TestLeakhuntSandbox$', '-count=1', '-v', '-timeout=120s', '.'],
        { cwd: poolDir, timeout: opts.timeoutMs ?? 180_000, maxBuffer: 8 << 20 },
        (err, out, errOut) => {
          if (err && !out.includes(marker)) reject(new Error(`${errOut || out || err.message}`.trim().slice(0, 2000)));
          else resolve(out);
        },
      );
    });
    const line = stdout.split('\n').find((l) => l.startsWith(marker));
    if (!line) return [{ name: 'sandbox-run', passed: false, detail: 'the harness printed no result' }];
    const report = JSON.parse(line.slice(marker.length)) as SandboxReport;
    return judgeSandbox(report, opts.limits);
  } catch (err) {
    return [
      {
        name: 'sandbox-run',
        passed: false,
        detail: `the sandbox build failed: ${err instanceof Error ? err.message.split('\n').slice(0, 6).join(' | ') : String(err)}`,
      },
    ];
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
