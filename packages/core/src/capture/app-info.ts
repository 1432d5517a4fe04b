import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

export interface AppInfo {
  name?: string;
  version?: string;
}

function readPackage(dir: string): AppInfo | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return {
      name: typeof pkg.name === 'string' ? pkg.name : undefined,
      version: typeof pkg.version === 'string' ? pkg.version : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * Name and version from the application's package.json: the nearest one above the working
 * directory (where apps are started from), else above the entry script (which may be a runner
 * such as a watcher inside node_modules, so it comes second).
 */
export function findAppInfo(): AppInfo {
  const starts = [process.cwd(), process.argv[1] ? dirname(process.argv[1]) : undefined];
  for (const start of starts) {
    let dir = start;
    while (dir) {
      const info = readPackage(dir);
      if (info?.name) return info;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return {};
}

/** `<hostname>:<pid>`: unique per producing process, so each process has its own chain. */
export function defaultInstance(): string {
  return `${hostname()}:${process.pid}`;
}

export { hostname };
