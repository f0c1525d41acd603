// One esbuild script for every bundle: extension, debug adapter, CLI and webviews.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, chmodSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

// web-tree-sitter's ESM build needs import.meta.url, which CommonJS bundles lack; its CJS build does not.
const alias = { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') };

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  alias,
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

const entries = [
  { entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(dist, 'extension.js') },
  {
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(dist, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  },
];
const optional = [
  { entryPoints: [join(root, 'src/dap/debugAdapter.ts')], outfile: join(dist, 'debugAdapter.js') },
  { entryPoints: [join(root, 'src/core/analysis/scanWorker.ts')], outfile: join(dist, 'scanWorker.js') },
];
for (const o of optional) if (existsSync(o.entryPoints[0])) entries.push(o);

await Promise.all(entries.map((e) => esbuild.build({ ...node, ...e })));

// Webviews run in the browser; each media/*.ts entry becomes dist/media/*.js.
const mediaDir = join(root, 'media');
const webviews = existsSync(mediaDir) ? readdirSync(mediaDir).filter((f) => f.endsWith('.ts')) : [];
if (webviews.length > 0) {
  await esbuild.build({
    entryPoints: webviews.map((f) => join(mediaDir, f)),
    outdir: join(dist, 'media'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
}

chmodSync(join(dist, 'cli.js'), 0o755);

// Runtime assets are read from next to the bundle (__dirname), exactly as from next to the sources under tsx.
const assets = [
  ['src/core/pprof/profile.proto', 'profile.proto'],
  ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'web-tree-sitter.wasm'],
  ['node_modules/tree-sitter-go/tree-sitter-go.wasm', 'tree-sitter-go.wasm'],
];
for (const [from, to] of assets) {
  if (existsSync(join(root, from))) copyFileSync(join(root, from), join(dist, to));
}
