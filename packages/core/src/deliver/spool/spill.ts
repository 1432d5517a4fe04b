/**
 * Queue overflow on disk (overflow policy `spill`): events that do not fit the in-memory queue
 * are appended, unsealed, to a spool and read back in order when the queue has room. While any
 * wait on disk, new events queue behind them there, so delivery (and sealing) order is log order.
 */
import { EventBytes, type SealInput } from '../../seal/sealer';
import type { AuditEvent } from '../../types';
import type { Spool } from './spool';

export class Spill {
  #lines: string[] = [];
  #onErrors: Array<(error: unknown) => void> = [];
  #scheduled = false;
  /** Events read back and consumed from the spool, not yet handed on: still counted as waiting. */
  #inHand = 0;

  constructor(readonly spool: Spool) {}

  /** Events on disk or on their way there. */
  get backlog(): number {
    return this.spool.stats.events + this.#lines.length + this.#inHand;
  }

  /** Events given as text are stored as their canonical JSON, and come back as events. */
  push(event: SealInput, onError: (error: unknown) => void): void {
    this.#lines.push(event instanceof EventBytes ? event.text().json() : JSON.stringify(event));
    this.#onErrors.push(onError);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Everything logged in this turn of the event loop becomes one record.
    queueMicrotask(() => this.#write());
  }

  #write(): void {
    this.#scheduled = false;
    const lines = this.#lines;
    const onErrors = this.#onErrors;
    this.#lines = [];
    this.#onErrors = [];
    this.spool.append(Buffer.from(`${lines.join('\n')}\n`, 'utf8'), lines.length).catch((error: unknown) => {
      for (const onError of onErrors) onError(error);
    });
  }

  /**
   * Hands the oldest events on disk (about `max`) to `into`, in order, and removes them from the
   * spill; the backlog counts them until then, so a flush never sees them nowhere.
   */
  async take(max: number, into: (event: AuditEvent) => void): Promise<void> {
    const payloads = await this.spool.peek(max);
    const events: AuditEvent[] = [];
    for (const payload of payloads) {
      for (const line of payload.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        try {
          events.push(JSON.parse(line) as AuditEvent);
        } catch {
          // The checksum matched, so the writer wrote this: not reachable short of a foreign file.
        }
      }
    }
    this.#inHand = events.length;
    try {
      await this.spool.consume(payloads.length);
    } finally {
      this.#inHand = 0;
    }
    for (const event of events) into(event);
  }

  async close(): Promise<void> {
    if (this.#scheduled) this.#write();
    await this.spool.close();
  }
}
