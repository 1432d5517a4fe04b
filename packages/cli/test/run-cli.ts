import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { run } from '@auditkit/cli';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** The installed `auditkit` command: the built dist behind the package's bin. */
export const bin = join(__dirname, '..', 'bin', 'auditkit.js');

/** Runs the CLI in this process, collecting what it writes to stdout and stderr. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Runs the installed `auditkit` command (built dist) in a child process; pipes, so stderr is no TTY. */
export function auditkit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out, err }),
    );
  });
}
