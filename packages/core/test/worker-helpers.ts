import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The worker runs the built package: these suites need `npm run build` first (npm test does it). */
export const built = existsSync(join(__dirname, '..', 'dist', 'deliver', 'worker', 'worker-main.js'));
export const workerSuite = built ? describe : describe.skip;

export interface StoredLine {
  type: string;
  details: { i?: number };
  integrity: { seq: number };
}

/** The stored events of a JSON Lines file, in order. */
export function storedLines(file: string): StoredLine[] {
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as StoredLine);
}

/** The `details.i` of the non-checkpoint events. */
export function loggedIndexes(file: string): number[] {
  return storedLines(file)
    .filter((e) => e.type !== 'audit.checkpoint')
    .map((e) => e.details.i!);
}
