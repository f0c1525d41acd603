import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PackageFile } from '../../core/editor/staticFactsCache';

/**
 * Reads the .go files of a package directory the way the live linter does: an open document's current text (unsaved
 * edits included), otherwise the file on disk. Disk reads are remembered by modification time and size, so a refresh
 * after every snapshot costs a directory listing and a stat per file.
 */
export class PackageSources {
  private readonly disk = new Map<string, { mtimeMs: number; size: number; text: string }>();

  /** The package's files; unreadable ones are left out (a file that vanished is simply not context). */
  async read(dir: string): Promise<PackageFile[]> {
    const open = new Map<string, vscode.TextDocument>();
    for (const d of vscode.workspace.textDocuments)
      if (d.uri.scheme === 'file' && path.dirname(d.uri.fsPath) === dir && d.uri.fsPath.endsWith('.go'))
        open.set(d.uri.fsPath, d);
    let names: string[] = [];
    try {
      names = (await fs.readdir(dir)).filter((n) => n.endsWith('.go'));
    } catch {
      // A directory that cannot be listed still has its open documents.
    }
    const paths = new Set([...names.map((n) => path.join(dir, n)), ...open.keys()]);
    const out: PackageFile[] = [];
    for (const p of [...paths].sort()) {
      const doc = open.get(p);
      if (doc) {
        out.push({ path: p, text: doc.getText() });
        continue;
      }
      const text = await this.fromDisk(p);
      if (text !== undefined) out.push({ path: p, text });
    }
    return out;
  }

  /** The text of one file: open document first, then disk; undefined when it cannot be read. */
  async text(file: string): Promise<string | undefined> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    return doc ? doc.getText() : this.fromDisk(file);
  }

  private async fromDisk(file: string): Promise<string | undefined> {
    try {
      const st = await fs.stat(file);
      if (!st.isFile()) return undefined;
      const had = this.disk.get(file);
      if (had && had.mtimeMs === st.mtimeMs && had.size === st.size) return had.text;
      const text = await fs.readFile(file, 'utf8');
      this.disk.set(file, { mtimeMs: st.mtimeMs, size: st.size, text });
      return text;
    } catch {
      this.disk.delete(file);
      return undefined;
    }
  }
}
