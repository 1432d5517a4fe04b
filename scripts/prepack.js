#!/usr/bin/env node
// `prepack` of every published package (npm runs it in the package's folder, for `npm pack` and
// `npm publish`): builds the package and what it references, so a clean clone packs complete,
// and lays the repository's one LICENSE beside the package.json for the tarball. `postpack`
// takes that copy away again.
const { execFileSync } = require('node:child_process');
const { copyFileSync, existsSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const license = join(root, 'LICENSE');
const packageDir = process.cwd();
const copy = join(packageDir, 'LICENSE');

if (process.argv[2] === 'post') {
  // Only the copy made here goes: a package with a license of its own keeps it.
  if (existsSync(copy) && readFileSync(copy, 'utf8') === readFileSync(license, 'utf8')) rmSync(copy);
} else {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc', { paths: [root] }), '-b', packageDir],
    {
      stdio: 'inherit',
    },
  );
  if (!existsSync(copy)) copyFileSync(license, copy);
}
