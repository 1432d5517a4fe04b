/**
 * `npm run release -- <bump>` on a clone of this repository: every package bumped to one version,
 * the @auditkit/* peer ranges and the lockfile with it, a CHANGELOG section, one commit and a tag.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-release-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

it('bumps, tags and writes the changelog for every package in one command', async () => {
  const clone = join(dir, 'repo');
  await run('git', ['clone', '--quiet', '--no-local', root, clone]);
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
    GIT_AUTHOR_NAME: 'Release Test',
    GIT_AUTHOR_EMAIL: 'release@example.com',
    GIT_COMMITTER_NAME: 'Release Test',
    GIT_COMMITTER_EMAIL: 'release@example.com',
  };
  const sh = (cmd: string, args: string[]) =>
    run(cmd, args, { cwd: clone, env, maxBuffer: 16 * 1024 * 1024 });
  await sh('git', ['checkout', '--quiet', '-B', 'main']);
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
  const before = json(join(clone, 'lerna.json')).version as string;
  const [major, minor] = before.split('.').map(Number) as [number, number];
  const next = `${major}.${minor + 1}.0`;

  await sh('npm', ['run', 'release', '--', 'minor', '--yes']);

  expect((await sh('git', ['tag', '--points-at', 'HEAD'])).stdout.trim()).toBe(`v${next}`);
  expect((await sh('git', ['log', '-1', '--format=%s'])).stdout.trim()).toBe(`release: v${next}`);
  expect((await sh('git', ['status', '--porcelain', '--untracked-files=no'])).stdout).toBe('');
  for (const name of readdirSync(join(clone, 'packages'))) {
    const pkg = json(join(clone, 'packages', name, 'package.json'));
    expect({ name: pkg.name, version: pkg.version }).toEqual({ name: pkg.name, version: next });
    for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies }))
      if (dep.startsWith('@auditkit/'))
        expect({ pkg: pkg.name, dep, range }).toEqual({ pkg: pkg.name, dep, range: `^${next}` });
  }
  const lock = json(join(clone, 'package-lock.json'));
  expect(lock.packages['packages/core'].version).toBe(next);
  expect(lock.packages['packages/express'].peerDependencies['@auditkit/core']).toBe(`^${next}`);
  const changelog = readFileSync(join(clone, 'CHANGELOG.md'), 'utf8');
  expect(changelog).toMatch(
    new RegExp(
      `^# Changelog\\n[\\s\\S]*\\n## ${next.replace(/\./g, '\\.')} \\(\\d{4}-\\d{2}-\\d{2}\\)\\n\\n### `,
    ),
  );
  expect(changelog).toContain('one command bumps and tags every package with a changelog');
}, 120_000);
