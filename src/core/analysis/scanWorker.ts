// Worker-thread entry for the workspace scanner: parses and analyses the packages the main thread hands it.
import { parentPort } from 'node:worker_threads';
import type { Parser } from 'web-tree-sitter';
import type { GoPackageFiles } from './findGoFiles';
import { createGoParser } from './goParser';
import { scanPackage } from './scanPackage';

/** A request from the scanner: analyse one package with these rules. */
export interface ScanRequest {
  pkg: GoPackageFiles;
  ruleIds: string[] | undefined;
  goVersion: string | undefined;
}

let parser: Promise<Parser> | undefined;

parentPort?.on('message', (req: ScanRequest) => {
  parser ??= createGoParser();
  parser
    .then((p) => parentPort?.postMessage({ ok: true, result: scanPackage(p, req.pkg, req.ruleIds, req.goVersion) }))
    .catch((err: unknown) =>
      parentPort?.postMessage({ ok: false, dir: req.pkg.dir, error: err instanceof Error ? err.message : String(err) }),
    );
});
