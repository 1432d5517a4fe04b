/**
 * `mkdir -p` that always ends. Node's recursive mkdir never returns for a path under /proc (mkdir
 * there says the parent is missing, and it retries the parent forever, sync or async): walk up to
 * the nearest existing ancestor, then create each missing level once; any error keeps its errno
 * and path (EACCES, ENOTDIR, ENOENT).
 */
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function tolerateExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}

export async function makeDir(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      await fs.promises.stat(d);
      break;
    } catch (error) {
      if (!isMissing(error)) throw error;
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing.reverse()) await fs.promises.mkdir(d, { mode }).catch(tolerateExisting);
}

export function makeDirSync(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      fs.statSync(d);
      break;
    } catch (error) {
      if (!isMissing(error)) throw error;
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, { mode });
    } catch (error) {
      tolerateExisting(error);
    }
  }
}
