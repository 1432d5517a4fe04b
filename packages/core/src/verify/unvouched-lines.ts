/**
 * Lines verified from their bytes before anything vouched that they are JSON. A line whose hash a
 * signed checkpoint covers is the signer's own (its sealer writes nothing but canonical JSON), so
 * only lines that no signed checkpoint covers need the validating scan: they wait here and are
 * scanned in one go when the report is made (or when too many wait).
 */
import { isUtf8 } from 'node:buffer';
import { noLineFields, scanLine } from './line-scan';

/** Lines kept waiting at most; then they are scanned at once (a writer that does not sign). */
const MAX_WAITING = 8192;
/** Distinct blocks the waiting lines may hold in memory before they are scanned at once. */
const MAX_BLOCKS = 16;

interface Waiting {
  blocks: Buffer[];
  starts: number[];
  ends: number[];
}

const scratch = noLineFields();

/** Whether `b[start, end)` is JSON (UTF-8), as JSON.parse of the line's text would say. */
function isJsonLine(b: Buffer, start: number, end: number): boolean {
  if (scanLine(b, start, end, scratch)) return true;
  // What the scan leaves to the full parse: non-ASCII text, escaped keys, deep nesting.
  const bytes = b.subarray(start, end);
  if (!isUtf8(bytes)) return false;
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** The lines of each chain (keyed by any object standing for it) no signed checkpoint covers yet. */
export class UnvouchedLines {
  readonly #waiting = new Map<object, Waiting>();
  #count = 0;
  #blocks = 0;
  #lastBlock: Buffer | undefined;
  #allJson = true;

  /** False once a line that was taken on trust turned out not to be JSON. */
  get allJson(): boolean {
    return this.#allJson;
  }

  /** A line of `chain` (its bytes as hashed) verified without the validating scan. */
  add(chain: object, b: Buffer, start: number, end: number): void {
    let w = this.#waiting.get(chain);
    if (!w) {
      w = { blocks: [], starts: [], ends: [] };
      this.#waiting.set(chain, w);
    }
    w.blocks.push(b);
    w.starts.push(start);
    w.ends.push(end);
    if (b !== this.#lastBlock) {
      this.#lastBlock = b;
      this.#blocks++;
    }
    if (++this.#count > MAX_WAITING || this.#blocks > MAX_BLOCKS) this.settle();
  }

  /** A signed checkpoint of `chain` covers every line of it so far. */
  vouch(chain: object): void {
    const w = this.#waiting.get(chain);
    if (!w) return;
    this.#count -= w.starts.length;
    this.#waiting.delete(chain);
    // Nothing waits: no block is held any more.
    if (this.#count === 0) {
      this.#blocks = 0;
      this.#lastBlock = undefined;
    }
  }

  /** A line that was taken on trust is not JSON after all (what was read from it does not parse). */
  fail(): void {
    this.#allJson = false;
  }

  /** Scans every waiting line; false when one is not JSON. */
  settle(): boolean {
    for (const w of this.#waiting.values())
      for (let i = 0; i < w.starts.length && this.#allJson; i++)
        if (!isJsonLine(w.blocks[i]!, w.starts[i]!, w.ends[i]!)) this.#allJson = false;
    this.#waiting.clear();
    this.#count = 0;
    this.#blocks = 0;
    this.#lastBlock = undefined;
    return this.#allJson;
  }
}
