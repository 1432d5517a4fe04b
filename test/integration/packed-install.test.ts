/**
 * The packages as a user gets them: packed into tarballs, installed into a project outside the
 * monorepo next to frameworks from the registry (no workspace links), compiled under strict
 * TypeScript against the shipped types, run on the lowest Node.js the packages support, and the
 * trail they wrote verified with the packed CLI.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
// open-store and server: the CLI depends on them.
const packed = ['core', 'express', 'fastify', 'nestjs', 'grpc', 'postgres', 'open-store', 'server', 'cli'];
/** What the apps import from the registry, at the versions the monorepo is tested with. */
const registryDeps = [
  'express',
  '@types/express',
  'fastify',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
  '@grpc/grpc-js',
  'pg',
  '@types/pg',
  'typescript',
  '@types/node',
];

const installedVersion = (name: string): string =>
  (
    JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/** `>=20.19` in the packages' engines → 20.19.0, the Node.js the apps run on. */
const lowestNode = (): string => {
  const range = (
    JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as {
      engines: { node: string };
    }
  ).engines.node;
  const [major, minor = '0', patch = '0'] = range.replace(/^>=\s*/, '').split('.');
  return `${major}.${minor}.${patch}`;
};

/** The environment without what the surrounding `npm test` sets for its own workspace. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

interface PackResult {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

let dir: string;
let tarballs: PackResult[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-packed-'));
  mkdirSync(join(dir, 'tarballs'));
  const { stdout } = await run(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      join(dir, 'tarballs'),
      ...packed.flatMap((name) => ['-w', `packages/${name}`]),
    ],
    { cwd: root, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
  );
  // prepack's tsc output and npm notices can precede the JSON.
  tarballs = JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as PackResult[];
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the build, the LICENSE and a README in every tarball', () => {
    expect(tarballs.map((t) => t.name).sort()).toEqual(packed.map((name) => `@auditkit/${name}`).sort());
    for (const tarball of tarballs) {
      const files = tarball.files.map((f) => f.path);
      expect({
        name: tarball.name,
        has: ['LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts'].filter((f) => files.includes(f)),
      }).toEqual({
        name: tarball.name,
        has: ['LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts'],
      });
    }
  });

  it('ships the sources every declaration map points at', () => {
    for (const tarball of tarballs) {
      const files = new Set(tarball.files.map((f) => f.path));
      const packageDir = join(root, 'packages', tarball.name.replace('@auditkit/', ''));
      const maps = [...files].filter((f) => f.endsWith('.d.ts.map'));
      expect(maps.length).toBeGreaterThan(0);
      const missing = maps.flatMap((map) => {
        const { sources } = JSON.parse(readFileSync(join(packageDir, map), 'utf8')) as { sources: string[] };
        return sources
          .map((s) => posix.normalize(posix.join(posix.dirname(map), s)))
          .filter((s) => !files.has(s));
      });
      expect({ name: tarball.name, missing }).toEqual({ name: tarball.name, missing: [] });
    }
  });
});

describe('installed from tarballs outside the monorepo', () => {
  it('compiles, runs an app per framework on the lowest supported Node.js, and the CLI verifies the trail', async () => {
    const app = join(dir, 'app');
    cpSync(join(__dirname, 'fixtures', 'packed-install'), app, { recursive: true });
    const nodePackage = `node-${process.platform}-${process.arch}`;
    const dependencies: Record<string, string> = { [nodePackage]: lowestNode() };
    for (const t of tarballs) dependencies[t.name] = `file:${join(dir, 'tarballs', t.filename)}`;
    for (const name of registryDeps) dependencies[name] = installedVersion(name);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'outside-app', private: true, dependencies }),
    );

    const env = cleanEnv();
    const sh = (cmd: string, args: string[]) =>
      run(cmd, args, { cwd: app, env, maxBuffer: 16 * 1024 * 1024 }).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`${cmd} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
        },
      );
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
    await sh('node', ['node_modules/typescript/bin/tsc', '-p', '.']);

    const node = join(app, 'node_modules', nodePackage, 'bin', 'node');
    expect((await sh(node, ['--version'])).stdout.trim()).toBe(`v${lowestNode()}`);
    // npx runs the packed bin with node_modules/.bin first on PATH, so on the same Node.js.
    await sh('npx', ['--no-install', 'auditkit', 'keys', 'generate', '--out', 'keys']);

    const outputs = await Promise.all(
      ['express', 'fastify', 'nest', 'grpc', 'postgres'].map((name) =>
        sh(node, [`dist/${name}-app.js`]).then((r) => r.stdout.trim()),
      ),
    );
    expect(outputs).toEqual([
      'express 201',
      'fastify 200',
      'nest 201',
      'grpc {"id":"3"}',
      'postgres invoice.paid',
    ]);

    const verify = await sh('npx', [
      '--no-install',
      'auditkit',
      'verify',
      'audit-logs',
      '--key',
      'keys/auditkit-signing.pub',
      '--closed',
    ]);
    expect(verify.stdout).toMatch(/^OK: \d+ events in 4 chain\(s\); checkpoint signatures checked/);
    for (const service of ['packed-express', 'packed-fastify', 'packed-nest', 'packed-grpc']) {
      expect(verify.stdout).toContain(`${service}`);
    }
  }, 240_000);
});
