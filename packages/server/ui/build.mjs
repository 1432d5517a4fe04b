/**
 * Bundles the dashboard into dist/ui (run after `tsc -b` by the root build): one script, one
 * stylesheet and the page, minified, with no reference to anything off the server.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'ui');
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
await copyFile(join(here, 'src', 'index.html'), join(out, 'index.html'));
let gz = 0;
for (const file of Object.keys(result.metafile.outputs)) gz += gzipSync(await readFile(file)).length;
gz += gzipSync(await readFile(join(out, 'index.html'))).length;
await writeFile(join(out, 'size.json'), `${JSON.stringify({ gzipBytes: gz })}\n`);
if (process.argv.includes('--report')) console.log(`dashboard: ${(gz / 1024).toFixed(1)} KB gzipped`);
