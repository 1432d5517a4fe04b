import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bin, cli } from './run-cli';

const exec = promisify(execFile);

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

/** Every command path, read from the top-level help and each group's help. */
async function commandPaths(prefix: string[] = []): Promise<string[][]> {
  const { out } = await cli(...prefix, '--help');
  const section = out.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
  // A command's line starts two spaces in; wrapped descriptions are indented further.
  const names = section
    .split('\n')
    .map((line) => /^ {2}([a-z][\w-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
  const paths: string[][] = [];
  for (const name of names) paths.push([...prefix, name], ...(await commandPaths([...prefix, name])));
  return paths;
}

describe('auditkit --version and --help', () => {
  it('prints the package version, from the installed bin too', async () => {
    expect(await cli('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
    const { stdout } = await exec(process.execPath, [bin, '-V']);
    expect(stdout).toBe(`${version}\n`);
  });

  it('shows an example in the help of the program and of every command', async () => {
    const paths = await commandPaths();
    expect(paths).toEqual(
      expect.arrayContaining([['verify'], ['prove'], ['verify-proof'], ['keys'], ['keys', 'generate']]),
    );
    for (const path of [[], ...paths]) {
      const help = await cli(...path, '--help');
      expect({ path, code: help.code }).toEqual({ path, code: 0 });
      expect({ path, example: /\nExamples?:\n {2}auditkit /.test(help.out) }).toEqual({
        path,
        example: true,
      });
    }
  });

  it('stops quietly when the reader of its output goes away (| head)', async () => {
    const child = spawn(process.execPath, [bin, 'verify', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // before the child writes: its write fails with EPIPE
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const [code] = (await once(child, 'close')) as [number];
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
