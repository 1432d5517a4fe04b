import { execFile } from 'node:child_process';
import { join } from 'node:path';

const bin = join(__dirname, '..', 'bin', 'auditkit.js');

/** Runs the installed `auditkit` command (built dist) in a child process. */
export function auditkit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (error, out, err) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out, err }),
    );
  });
}
