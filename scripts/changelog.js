#!/usr/bin/env node
// Root `version` lifecycle of `npm run release` (lerna runs it after bumping every package and
// before its commit and tag): prepends the new version's section to CHANGELOG.md, made of the
// commit subjects since the previous release tag, grouped by the area each subject names
// ("cli: ...", "postgres store: ..."), and stages it so the release commit carries it.
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const { version } = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8'));

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
if (process.env.AUDITKIT_CHANGELOG_NO_STAGE !== '1') git('add', 'CHANGELOG.md');
console.log(`CHANGELOG.md: ${version}, ${subjects.length} commits since ${previous || 'the start'}`);
