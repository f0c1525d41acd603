import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { findGoPackages } from '../analysis/findGoFiles';
import { createGoParser } from '../analysis/goParser';
import { isSyncPoolType, unparen } from '../analysis/goSyntax';
import { PackageIndex } from '../analysis/packageIndex';
import { ElfFile, localByteSource, type ByteSource } from './elfFile';

/** A local process running a Go binary, as offered in the target picker. */
export interface GoProcess {
  pid: number;
  exe: string;
  goVersion: string;
  cmdline: string;
  uid: number;
}

/**
 * Lists local processes whose executable is a Go binary (it has `.go.buildinfo`), for the target picker. Processes
 * we may not inspect are skipped; each distinct binary is read once.
 */
export async function listGoProcesses(): Promise<GoProcess[]> {
  const versions = new Map<string, string | undefined>();
  const out: GoProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      let v = versions.get(exe);
      if (!versions.has(exe)) {
        const elf = await ElfFile.read(await localByteSource(`/proc/${pid}/exe`)).catch(() => undefined);
        v = elf ? await elf.goVersion().catch(() => undefined) : undefined;
        await elf?.close();
        versions.set(exe, v);
      }
      if (!v) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      out.push({
        pid,
        exe,
        goVersion: v,
        cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1),
      });
    } catch {
      // gone, or not ours to read
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** A package-level variable a hot patch can use: a pool to patch or a `func() any` candidate. */
export interface PatchVariable {
  /** Full name as the linker writes it: `example.com/app/pool.BufPool`. */
  name: string;
  kind: 'pool' | 'candidate';
  file: string;
  /** 1-based line of the declaration. */
  line: number;
}

/**
 * Finds sync.Pool variables and `func() any` variables in a module's sources (static engine's parser and package
 * index), keeping only those present in the binary's symbol table when `binarySymbols` is given (the linker drops
 * unreferenced ones, and those cannot be patched).
 */
export async function listPatchVariables(moduleRoot: string, binarySymbols?: Set<string>): Promise<PatchVariable[]> {
  const modulePath = /^module\s+(\S+)/m.exec(readFileSync(path.join(moduleRoot, 'go.mod'), 'utf8'))?.[1] ?? '';
  const parser = await createGoParser();
  const out: PatchVariable[] = [];
  try {
    for (const pkg of findGoPackages([moduleRoot])) {
      const files = pkg.files.filter((f) => !f.endsWith('_test.go'));
      const trees = files.map((f) => parser.parse(readFileSync(f, 'utf8')));
      try {
        const roots = trees.flatMap((t) => (t ? [t.rootNode] : []));
        const isMain = roots.some((r) => /^package\s+main\b/m.test(r.text));
        const rel = path.relative(moduleRoot, pkg.dir).split(path.sep).join('/');
        const pkgPath = isMain ? 'main' : rel ? `${modulePath}/${rel}` : modulePath;
        const index = new PackageIndex(roots);
        for (const v of index.vars.values()) {
          const value = v.value ? unparen(v.value) : null;
          const literalType = value?.type === 'composite_literal' ? value.childForFieldName('type') : null;
          const typeText = v.type?.text.replace(/\s+/g, '');
          const kind =
            isSyncPoolType(v.type) || isSyncPoolType(literalType)
              ? 'pool'
              : typeText === 'func()any' || typeText === 'func()interface{}'
                ? 'candidate'
                : undefined;
          if (!kind || typeText === '*sync.Pool') continue;
          const name = `${pkgPath}.${v.name}`;
          if (binarySymbols && !binarySymbols.has(name)) continue;
          const fileIdx = roots.findIndex((r) => r.id === rootOf(v.ident).id);
          out.push({ name, kind, file: files[fileIdx] ?? '', line: v.ident.startPosition.row + 1 });
        }
      } finally {
        for (const t of trees) t?.delete();
      }
    }
  } finally {
    parser.delete();
  }
  return out.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'pool' ? -1 : 1));
}

function rootOf(n: Node): Node {
  let cur = n;
  while (cur.parent) cur = cur.parent;
  return cur;
}

/** The symbol names of a binary (for filtering variables the linker kept). */
export async function binarySymbolNames(file: string): Promise<Set<string>> {
  return symbolNamesOf(await localByteSource(file));
}

/** The symbol names of a binary read from any byte source (e.g. a remote /proc/PID/exe read over SSH). */
export async function symbolNamesOf(source: ByteSource): Promise<Set<string>> {
  const elf = await ElfFile.read(source);
  try {
    return new Set((await elf.symbols()).map((s) => s.name));
  } finally {
    await elf.close();
  }
}
