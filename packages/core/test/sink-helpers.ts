import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { AuditEvent } from '../src/types';

/** A valid schema-1 event; `i` makes id, time, actor and message unique. */
export function auditEvent(i: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    v: 1,
    id: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    time: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, i)).toISOString(),
    type: 'data.update',
    category: 'data',
    action: 'update',
    outcome: 'success',
    severity: 'info',
    message: `event ${i}`,
    actor: { type: 'user', id: `u-${i}` },
    source: { service: 'svc', version: '1.0.0', instance: 'test-1' },
    ...overrides,
  };
}

/** `count` events numbered from `from`. */
export function auditEvents(from: number, count: number): AuditEvent[] {
  return Array.from({ length: count }, (_, k) => auditEvent(from + k));
}

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditkit-sink-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The text of a JSON Lines file, gunzipped when it ends in `.gz`. */
export function readText(file: string): string {
  const raw = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
}

/** Events of a JSON Lines file (plain or gzipped); every line must parse. */
export function readEvents(file: string): AuditEvent[] {
  const text = readText(file);
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}
