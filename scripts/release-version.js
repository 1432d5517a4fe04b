#!/usr/bin/env node
// Root `version` lifecycle of `npm run release` (lerna runs it after bumping every package and
// before its commit and tag). Lerna leaves peerDependencies alone, so this moves every package's
// `@auditkit/*` peer range to the new version (a minor bump would otherwise leave `^0.1.0` behind),
// and prepends the new version's section to CHANGELOG.md: the commit subjects since the previous
// release tag, grouped by the area each names ("cli: ...", "postgres store: ..."). Both are staged
// so the release commit carries them.
const { readdirSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const git = (...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const { version } = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8'));
const stage = process.env.AUDITKIT_RELEASE_NO_STAGE !== '1';

for (const name of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', name, 'package.json');
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  // Text replacement keeps the file's own layout.
  const updated = text.replace(/("peerDependencies": \{[^}]*\})/, (block) =>
    block.replace(/("@auditkit\/[a-z-]+": )"\^[^"]+"/g, `$1"^${version}"`),
  );
  if (updated !== text) {
    writeFileSync(file, updated);
    if (stage) git('add', file);
  }
}
// The lockfile records the workspaces' peer ranges too.
execFileSync('npm', ['install', '--package-lock-only', '--prefer-offline', '--no-audit', '--no-fund'], {
  cwd: root,
  stdio: 'ignore',
});
if (stage) git('add', 'package-lock.json');

let previous = '';
try {
  previous = git('describe', '--tags', '--abbrev=0', '--match', 'v*', 'HEAD');
} catch {
  // no release yet: the whole history
}
const subjects = git('log', '--no-merges', '--format=%s', ...(previous ? [`${previous}..HEAD`] : []))
  .split('\n')
  .filter(Boolean);

const areas = new Map();
for (const subject of subjects) {
  const m = /^([^:]{1,40}):\s+(.*)$/.exec(subject);
  const area = m ? m[1] : 'other';
  if (!areas.has(area)) areas.set(area, []);
  areas.get(area).push(m ? m[2] : subject);
}

const date = new Date().toISOString().slice(0, 10);
let section = `## ${version} (${date})\n`;
if (areas.size === 0) section += '\nNo changes.\n';
for (const area of [...areas.keys()].sort())
  section += `\n### ${area}\n\n${areas
    .get(area)
    .map((s) => `- ${s}`)
    .join('\n')}\n`;

const file = join(root, 'CHANGELOG.md');
const head =
  '# Changelog\n\nEvery package of auditkit shares one version; `npm run release` writes this file.\n';
const rest = existsSync(file) ? readFileSync(file, 'utf8').replace(head, '').replace(/^\n+/, '') : '';
writeFileSync(file, `${head}\n${section}${rest ? `\n${rest}` : ''}`);
if (stage) git('add', 'CHANGELOG.md');
console.log(`CHANGELOG.md: ${version}, ${subjects.length} commits since ${previous || 'the start'}`);
