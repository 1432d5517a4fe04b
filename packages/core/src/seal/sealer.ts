/**
 * The seal stage: a per-process hash chain over the canonical JSON of each event as stored, a
 * Merkle frontier over the chain, and signed checkpoints. Runs in delivery order, once per event,
 * so every sink receives the same sealed events and the same JSON Lines.
 */
import { type KeyObject, randomBytes, sign } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { newEventId } from '../capture/ids';
import { eventTime } from '../capture/normalize';
import type { AuditEvent, Integrity, Source } from '../types';
import { canonicalize } from './canonical';
import { type CanonicalMembers, withCanonicalWriter, withCanonicalWriterIn } from './canonical-writer';
import { bytesOfHex, sha256Hex, unsignedHash } from './digest';
import { keyId } from './keys';
import { MerkleFrontier } from './merkle';
import { SealedLines } from './sealed-lines';
import { SEAL_VERSION, sealVersion } from './version';

export const CHECKPOINT_TYPE = 'audit.checkpoint';
export const CHAIN_STARTED_TYPE = 'audit.chain.started';

/** What a checkpoint signs: the chain's head and the Merkle root over all its events so far. */
export interface Checkpoint {
  /** Id of the checkpoint event itself, so the signature pins the event that carries it. */
  id: string;
  chain: string;
  /** Sequence number of the last event covered. */
  seq: number;
  /** Hash of that event. */
  hash: string;
  /** RFC 6962 root over events 0..seq, hex; each event's leaf is as its seal version says (see version.ts). */
  merkleRoot: string;
  /** Number of events covered (seq + 1). */
  size: number;
  time: string;
  /** Written by `close()`: the writer ends here. A chain that stops at a checkpoint without it was cut. */
  final?: true;
}

/** `details` of an `audit.checkpoint` event. */
export interface CheckpointDetails {
  checkpoint: Checkpoint;
  /** The Merkle frontier at `size` (hex, largest subtree first), so a restarted writer can go on. */
  frontier: string[];
  alg: 'Ed25519';
  kid: string;
  /** Base64 Ed25519 signature over the checkpoint's canonical JSON. */
  signature: string;
}

export interface SealerOptions {
  source: Source;
  /** Sign a checkpoint after this many events (0: only by time and on close). */
  every: number;
  /** Sign a checkpoint at the first batch this long after the last one (ms; 0: never by time). */
  intervalMs: number;
  key: KeyObject | undefined;
  /** Also append checkpoints as JSON lines here. */
  file: string | undefined;
  /** Hears failures of the checkpoint file; the checkpoint events themselves still go out. */
  onError?: (error: unknown) => void;
  now?: () => number;
}

export interface SealedBatch {
  /** The sealed events; undefined where the event came as text (its line is all there is). */
  events: Array<AuditEvent | undefined>;
  /** Their lines, as the JSON Lines bytes files and spools take. */
  lines: SealedLines;
}

/** The bytes the checkpoint signature covers. */
export function checkpointPayload(cp: Checkpoint): Buffer {
  return Buffer.from(canonicalize(cp));
}

/** Every field an event may have, in canonical (sorted) order; `integrity` goes between the halves. */
const HEAD_KEYS = [
  'action',
  'actor',
  'category',
  'changes',
  'compliance',
  'correlationId',
  'details',
  'error',
  'id',
] as const;
const TAIL_KEYS = [
  'message',
  'outcome',
  'protected',
  'request',
  'resource',
  'severity',
  'source',
  'spanId',
  'tenant',
  'time',
  'traceId',
  'type',
  'v',
] as const;
export const EVENT_KEYS = new Set<string>([...HEAD_KEYS, 'integrity', ...TAIL_KEYS]);

type Fields = Record<string, unknown>;

const SOURCE_AT = TAIL_KEYS.indexOf('source');

/** The member names as the writer takes them: `"name":`. */
const HEAD_NAMES = HEAD_KEYS.map((k) => `"${k}":`);
const TAIL_NAMES = TAIL_KEYS.map((k) => `"${k}":`);

/** An event's fields before `integrity`, as a canonical JSON object: written in the fixed key order. */
function writeHead(w: CanonicalMembers, e: Fields): void {
  writeHeadMembers(w, e);
  w.close();
}

/** The members of `writeHead`, the object left open. */
function writeHeadMembers(w: CanonicalMembers, e: Fields): void {
  for (let i = 0; i < HEAD_KEYS.length; i++) w.member(HEAD_NAMES[i]!, e[HEAD_KEYS[i]!]);
}

/** An event's fields after `integrity`, as a canonical JSON object. */
function writeTail(w: CanonicalMembers, e: Fields): void {
  for (let i = 0; i < TAIL_KEYS.length; i++) {
    // Every event of a logger shares its (frozen) source: written once, then copied.
    if (i === SOURCE_AT) w.sharedMember(TAIL_NAMES[i]!, e.source);
    else w.member(TAIL_NAMES[i]!, e[TAIL_KEYS[i]!]);
  }
  w.close();
}

function head(w: CanonicalMembers, e: Fields): string {
  writeHead(w, e);
  return w.text();
}

function tail(w: CanonicalMembers, e: Fields): string {
  writeTail(w, e);
  return w.text();
}

const halves = (w: CanonicalMembers, e: Fields): EventText => new EventText(head(w, e), tail(w, e));

/** An event's record, `<prefix><head>\n<tail>`, written where the writer was pointed; gives the position after it. */
function record(w: CanonicalMembers, e: Fields, prefix: string): number {
  w.literal(prefix);
  writeHead(w, e);
  w.literal('\n');
  writeTail(w, e);
  return w.length;
}

/** True when every own field of `event` is one the fixed key order knows. */
function knownShape(event: Fields): boolean {
  // for-in walks the shape's enum cache: no key list per event. A key inherited from a polluted
  // prototype sends the event to the generic path, which writes own keys only, as this one does.
  for (const key in event) if (!EVENT_KEYS.has(key)) return false;
  return true;
}

/**
 * An event's canonical JSON cut where `integrity` goes: `head` holds the fields before it, `tail`
 * those after it, each a canonical JSON object of its own. The seal is written between them, so an
 * event serialized on one thread can be sealed on another from this text alone, without parsing it.
 */
export class EventText {
  constructor(
    readonly head: string,
    readonly tail: string,
  ) {}

  /** The event's canonical JSON without a seal (what a spill stores). */
  json(): string {
    if (this.head.length <= 2) return this.tail;
    return this.tail.length > 2 ? `${this.head.slice(0, -1)},${this.tail.slice(1)}` : this.head;
  }
}

/**
 * `EventText` as the UTF-8 bytes another thread wrote: `head`, a newline, `tail`. Sealed from
 * these bytes as they are; decoded only where the text is needed (a spill).
 */
export class EventBytes {
  /** Where the newline between the halves is. */
  readonly cut: number;

  constructor(readonly bytes: Buffer) {
    this.cut = bytes.indexOf(0x0a);
  }

  text(): EventText {
    return new EventText(this.bytes.toString('utf8', 0, this.cut), this.bytes.toString('utf8', this.cut + 1));
  }
}

/** What the seal stage takes: an event, or its canonical text from another thread. */
export type SealInput = AuditEvent | EventBytes;

/**
 * The canonical halves of an event, written field by field in the fixed key order; undefined for
 * events of another shape or with values only the generic path decides on (it refuses or throws).
 */
export function eventText(event: AuditEvent): EventText | undefined {
  const e = event as unknown as Fields;
  try {
    return knownShape(e) ? withCanonicalWriter(halves, e, undefined) : undefined;
  } catch {
    // a throwing getter or Proxy: the generic path meets it again and decides
    return undefined;
  }
}

/**
 * The halves `eventText` gives, as one UTF-8 record `<prefix><head>\n<tail>` written straight into
 * `target` from `start` on, short of `end` (a thread hand-off's shared memory: no copy, never
 * decoded). Returns the position after the record, or -1 where `eventText` gives undefined or when
 * the record may not fit: bytes may have been written into the region then, and none of them count.
 */
export function eventRecordIn(
  event: AuditEvent,
  prefix: string,
  target: Buffer,
  start: number,
  end: number,
): number {
  const e = event as unknown as Fields;
  try {
    if (!knownShape(e)) return -1;
    return withCanonicalWriterIn(target, start, end, record, e, prefix) ?? -1;
  } catch {
    return -1;
  }
}

/**
 * The canonical JSON of an event with its seal (version 2), and the seal's hash. The line stored is
 * the canonical text that was hashed with the `hash` member added, so it is serialized once.
 */
export function sealedLine(
  event: AuditEvent,
  chain: string,
  seq: number,
  prev: string | null,
): { line: string; hash: string } {
  const text = eventText(event);
  if (!text) return genericSealedLine(event, chain, seq, prev);
  const line = lineOf(text, integrityOpen(chain), prevJson(prev), seq);
  return { line, hash: madeHash };
}

/** The start of a seal's JSON, up to its `prev` member. */
const integrityOpen = (chain: string): string => `"integrity":{"chain":${JSON.stringify(chain)},`;

const prevJson = (prev: string | null): string => (prev === null ? 'null' : JSON.stringify(prev));

/** The hash of the line `lineOf` made last: the seal stage reads it at once (no result object per event). */
let madeHash = '';

/** The sealed line of `text`; its hash is left in `madeHash`. */
function lineOf(text: EventText, open: string, prev: string, seq: number): string {
  const h = text.head;
  const t = text.tail;
  // Seal version 2 hashes 0x00 ‖ the text: U+0000 is that byte in UTF-8, so it leads the string.
  const before = `\0${h.length > 2 ? `${h.slice(0, -1)},` : '{'}${open}`;
  // Hashing flattens the text once; the line is cut from that flat copy, so what stays queued is
  // one flat string and two slices of it, not the pieces it was put together from.
  const unsigned = `${before}"prev":${prev},"seq":${seq},"v":2}${t.length > 2 ? `,${t.slice(1)}` : '}'}`;
  const hash = sha256Hex(unsigned);
  madeHash = hash;
  return `${unsigned.slice(1, before.length)}"hash":"${hash}",${unsigned.slice(before.length)}`;
}

/** Where and how `sealedRecord` seals an event; one per sealer, reused for every event. */
interface SealPlace {
  /** The seal's opening, `,"integrity":{"chain":…,`, and `prev` as JSON: both plain ASCII. */
  open: string;
  prev: string;
  seq: number;
  into: SealedLines;
}

/** Writes the seal from `prev` on, `"prev":…,"seq":…,"v":2}`, after its opening (`place.open`). */
function writeSeal(w: CanonicalMembers, place: SealPlace): number {
  w.literal(place.open);
  const cut = w.length;
  w.literal('"prev":');
  w.literal(place.prev);
  w.literal(',"seq":');
  w.literal(`${place.seq}`);
  w.literal(',"v":2}');
  return cut;
}

/**
 * Hashes the writer's bytes, 0x00 ‖ the unsigned text, and appends the sealed line to
 * `place.into` with the `hash` member at `cut`; returns the hash.
 */
function appendHashed(w: CanonicalMembers, cut: number, place: SealPlace): string {
  const end = w.length;
  const hash = sha256Hex(w.bytes.subarray(0, end));
  place.into.appendSealed(w.bytes, cut, end, hash);
  return hash;
}

/**
 * Writes the unsigned text of an event, 0x00 first (seal version 2 hashes 0x00 ‖ the text), as
 * UTF-8 in the canonical writer's buffer, hashes those bytes and appends the sealed line to
 * `place.into`; returns the hash, or undefined for an event with no field before its seal (the
 * generic path writes it).
 */
function sealedRecord(w: CanonicalMembers, e: Fields, place: SealPlace): string | undefined {
  w.literal('\0');
  writeHeadMembers(w, e);
  if (w.length === 1) return undefined;
  const cut = writeSeal(w, place);
  // The head's members are still open: the tail's first member follows with a comma.
  writeTail(w, e);
  return appendHashed(w, cut, place);
}

/**
 * `sealedRecord` for an event given as its halves' bytes, put together from them as they are.
 * Undefined for an empty head (the text path writes it).
 */
function sealedBytes(w: CanonicalMembers, text: EventBytes, place: SealPlace): string | undefined {
  const src = text.bytes;
  const tailStart = text.cut + 1;
  if (text.cut <= 2) return undefined;
  w.literal('\0');
  // The head's closing brace makes way for the seal.
  w.copy(src, 0, text.cut - 1);
  const cut = writeSeal(w, place);
  if (src.length - tailStart > 2) {
    // The tail's opening brace becomes the comma after the seal.
    w.literal(',');
    w.copy(src, tailStart + 1, src.length);
  } else w.literal('}');
  return appendHashed(w, cut, place);
}

/** Text JSON writes as it is, one byte per character: what `CanonicalMembers.literal` takes. */
const PLAIN = /^[\x20-\x7e]*$/;

/** `sealedLine` for any event: each field canonicalized on its own. */
function genericSealedLine(
  event: AuditEvent,
  chain: string,
  seq: number,
  prev: string | null,
): { line: string; hash: string } {
  const keys = Object.keys(event);
  if (!('integrity' in event)) keys.push('integrity');
  keys.sort();
  const parts: string[] = [];
  let at = -1;
  for (const key of keys) {
    if (key === 'integrity') {
      at = parts.length;
      parts.push('');
      continue;
    }
    const value = (event as unknown as Record<string, unknown>)[key];
    // Left out as canonicalize leaves them out of objects, so expectedHash agrees.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalize(value)}`);
  }
  const chainJson = JSON.stringify(chain);
  const tail = `"prev":${prev === null ? 'null' : JSON.stringify(prev)},"seq":${canonicalize(seq)},"v":2}`;
  parts[at] = `"integrity":{"chain":${chainJson},${tail}`;
  const hash = unsignedHash(`{${parts.join(',')}}`, SEAL_VERSION);
  parts[at] = `"integrity":{"chain":${chainJson},"hash":"${hash}",${tail}`;
  return { line: `{${parts.join(',')}}`, hash };
}

/**
 * The hash an event's seal must carry, computed from the event alone under the seal version it
 * names; undefined when that version is not one this build knows.
 */
export function expectedHash(event: AuditEvent): string | undefined {
  const i = event.integrity as Integrity;
  const version = sealVersion(i);
  if (version === undefined) return undefined;
  const unsigned = { ...event, integrity: { chain: i.chain, prev: i.prev, seq: i.seq, v: i.v } };
  return unsignedHash(canonicalize(unsigned), version);
}

export class Sealer {
  chain: string;
  #seq = 0;
  #prev: string | null = null;
  /** `#prev` as JSON, and the seal's opening for `chain` (the chain rarely changes). */
  #prevJson = 'null';
  #open = '';
  #openChain = '';
  /** Where `sealedRecord` writes: the seal's opening, `prev` and `seq` for the next event, and the batch's lines. */
  readonly #place: SealPlace = { open: '', prev: 'null', seq: 0, into: new SealedLines() };
  /**
   * Whether `#place.open` is plain ASCII, so the seal can be written as bytes. `#prevJson` always
   * is: `prev` is a hash this stage made, or one `resumeFrom` took only as 64 hex digits.
   */
  #plainOpen = false;
  /** Bytes per line of the last batch, to size the next one's buffer. */
  #lineBytes = 1024;
  #frontier = new MerkleFrontier();
  #sinceCheckpoint = 0;
  #lastCheckpointAt: number;
  #lastCheckpointSeq = -1;
  #checkpoints = 0;
  /** The newest sealed event is a final checkpoint: nothing to close. */
  #lastWasFinal = false;
  /** The head of the chain this one follows, named by the first event of a new chain. */
  #follows: { chain: string; seq: number; hash: string } | undefined;
  /**
   * Source of the newest sealed event, which a checkpoint repeats (verification compares them):
   * ingested events keep the source of the service that recorded them.
   */
  #lastSource: Source | undefined;
  readonly #o: SealerOptions;
  readonly #kid: string | undefined;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: SealerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#prefix = `${options.source.service}@${options.source.instance ?? ''}`;
    this.chain = `${this.#prefix}#${randomBytes(4).toString('hex')}`;
    this.#lastCheckpointAt = this.#now();
    this.#kid = options.key ? keyId(options.key) : undefined;
  }

  get stats(): { chain: string; seq: number; checkpoints: number; lastCheckpointSeq: number } {
    return {
      chain: this.chain,
      seq: this.#seq - 1,
      checkpoints: this.#checkpoints,
      lastCheckpointSeq: this.#lastCheckpointSeq,
    };
  }

  /**
   * Continues from the newest sealed event a sink holds: the same chain when it ended in this
   * writer's final checkpoint (sealed under any version this build knows: the events after it are
   * sealed under the current one), else a new chain whose first event names that head.
   */
  resumeFrom(last: AuditEvent | undefined): void {
    if (this.#seq > 0 || !last?.integrity) return;
    const i = last.integrity;
    const details = last.details as Partial<CheckpointDetails> | undefined;
    const cp = details?.checkpoint;
    if (
      last.type === CHECKPOINT_TYPE &&
      i.chain.startsWith(`${this.#prefix}#`) &&
      cp?.chain === i.chain &&
      cp.final === true &&
      cp.size === i.seq &&
      Array.isArray(details?.frontier)
    ) {
      try {
        const frontier = new MerkleFrontier(cp.size, details.frontier.map(bytesOfHex));
        const version = sealVersion(i);
        if (version === undefined || !frontier.appendEventHash(i.hash, version)) throw new RangeError();
        this.chain = i.chain;
        this.#seq = i.seq + 1;
        this.#prev = i.hash;
        this.#prevJson = prevJson(i.hash);
        this.#frontier = frontier;
        this.#lastCheckpointSeq = i.seq;
        this.#lastWasFinal = true;
        return;
      } catch {
        // A frontier that does not fit its size, or a seal this build cannot read: start a new
        // chain that names this head instead.
      }
    }
    this.#follows = { chain: i.chain, seq: i.seq, hash: i.hash };
  }

  /**
   * Seals `events` in order, adding a chain-start event first and checkpoints where due. Events
   * given as text are this sealer's own service's, never checkpoints: their source is the sealer's.
   */
  seal(events: readonly SealInput[], into?: SealedBatch): SealedBatch {
    const out = into ?? this.batch(events.length);
    if (this.#seq === 0 && this.#follows) {
      this.#push(
        out,
        this.#systemEvent(CHAIN_STARTED_TYPE, 'chain continues from a previous writer', {
          previous: this.#follows,
        }),
      );
      this.#follows = undefined;
    }
    // Unsigned checkpoints would prove nothing against someone who can rewrite the file (they
    // could recompute them), so checkpoints come with a signing key or not at all.
    const every = this.#o.key ? this.#o.every : 0;
    for (const event of events) {
      if (event instanceof EventBytes) this.#pushBytes(out, event);
      else this.#push(out, event);
      if (every > 0 && this.#sinceCheckpoint >= every) this.#push(out, this.#checkpointEvent());
    }
    const interval = this.#o.key ? this.#o.intervalMs : 0;
    if (interval > 0 && this.#sinceCheckpoint > 0 && this.#now() - this.#lastCheckpointAt >= interval) {
      this.#push(out, this.#checkpointEvent());
    }
    if (out.lines.count > 0) this.#lineBytes = Math.ceil(out.lines.byteLength / out.lines.count);
    return out;
  }

  /**
   * A last checkpoint covering everything sealed, when anything is uncovered (close, exit); added
   * to `into` when given.
   */
  final(into?: SealedBatch): SealedBatch | undefined {
    if (!this.#o.key || this.#seq === 0 || this.#lastWasFinal) return undefined;
    const out = into ?? this.batch(1);
    this.#push(out, this.#checkpointEvent(true));
    // Set here, not read back from the event: a caller's details may name `checkpoint.final` too.
    this.#lastWasFinal = true;
    return out;
  }

  /** An empty sealed batch with room for about `events` lines, to seal into a slice at a time. */
  batch(events: number): SealedBatch {
    // A little over the last batch's line size, so the buffer seldom grows.
    return { events: [], lines: new SealedLines((events + 1) * this.#lineBytes * 1.125) };
  }

  /** Keeps the seal's opening up to date with `chain`. */
  #openFor(): void {
    if (this.#openChain === this.chain) return;
    this.#openChain = this.chain;
    this.#open = integrityOpen(this.chain);
    this.#place.open = `,${this.#open}`;
    this.#plainOpen = PLAIN.test(this.#open);
  }

  /** Appends the sealed line of an event as text to `out`; its hash is left in `madeHash`. */
  #line(out: SealedBatch, text: EventText, seq: number): void {
    this.#openFor();
    out.lines.appendText(lineOf(text, this.#open, this.#prevJson, seq));
  }

  /** Where the next event's seal is written as bytes, or undefined when it must be written as text. */
  #placeFor(out: SealedBatch, seq: number): SealPlace | undefined {
    this.#openFor();
    if (!this.#plainOpen) return undefined;
    const place = this.#place;
    place.prev = this.#prevJson;
    place.seq = seq;
    place.into = out.lines;
    return place;
  }

  /**
   * Appends the sealed line of an event of the known shape to `out`, written and hashed as bytes;
   * returns its hash, or undefined when the event must take another path.
   */
  #record(out: SealedBatch, event: AuditEvent, seq: number): string | undefined {
    const place = this.#placeFor(out, seq);
    const e = event as unknown as Fields;
    if (!place || !knownShape(e)) return undefined;
    try {
      return withCanonicalWriter(sealedRecord, e, place);
    } catch {
      // a throwing getter or Proxy: the generic path meets it again and decides
      return undefined;
    }
  }

  #advance(seq: number, hash: string): void {
    this.#frontier.appendEventHash(hash, SEAL_VERSION);
    this.#seq = seq + 1;
    this.#prev = hash;
    // A hash this stage made is hex: its JSON needs no escaping.
    this.#prevJson = `"${hash}"`;
  }

  #push(out: SealedBatch, event: AuditEvent): void {
    const seq = this.#seq;
    let hash = this.#record(out, event, seq);
    if (hash === undefined) {
      const text = eventText(event);
      if (text) {
        this.#line(out, text, seq);
        hash = madeHash;
      } else {
        const sealed = genericSealedLine(event, this.chain, seq, this.#prev);
        out.lines.appendText(sealed.line);
        hash = sealed.hash;
      }
    }
    event.integrity = { chain: this.chain, seq, prev: this.#prev, hash, v: SEAL_VERSION };
    this.#advance(seq, hash);
    this.#lastSource = event.source;
    if (event.type !== CHECKPOINT_TYPE) this.#sinceCheckpoint++;
    this.#lastWasFinal = false;
    out.events.push(event);
  }

  /** Seals an event of this sealer's own service from its canonical text (another thread wrote it). */
  #pushBytes(out: SealedBatch, text: EventBytes): void {
    const seq = this.#seq;
    const place = this.#placeFor(out, seq);
    let hash = place && withCanonicalWriter(sealedBytes, text, place);
    if (hash === undefined) {
      this.#line(out, text.text(), seq);
      hash = madeHash;
    }
    this.#advance(seq, hash);
    this.#lastSource = this.#o.source;
    this.#sinceCheckpoint++;
    this.#lastWasFinal = false;
    out.events.push(undefined);
  }

  #checkpointEvent(final = false): AuditEvent {
    const time = eventTime(undefined).time;
    const checkpoint: Checkpoint = {
      id: newEventId(),
      chain: this.chain,
      seq: this.#seq - 1,
      hash: this.#prev!,
      merkleRoot: this.#frontier.hexRoot(),
      size: this.#seq,
      time,
    };
    if (final) checkpoint.final = true;
    const details: CheckpointDetails = {
      checkpoint,
      frontier: this.#frontier.hexNodes,
      alg: 'Ed25519',
      kid: this.#kid!,
      signature: sign(null, checkpointPayload(checkpoint), this.#o.key!).toString('base64'),
    };
    this.#sinceCheckpoint = 0;
    this.#lastCheckpointAt = this.#now();
    this.#lastCheckpointSeq = checkpoint.seq;
    this.#checkpoints++;
    if (this.#o.file) {
      const line = `${JSON.stringify({ checkpoint, alg: details.alg, kid: details.kid, signature: details.signature })}\n`;
      // The events carry the checkpoint too; this copy elsewhere only makes truncation easier to prove.
      appendFile(this.#o.file, line, { mode: 0o600 }).catch((error: unknown) => this.#o.onError?.(error));
    }
    return checkpointEvent(checkpoint, this.#lastSource ?? this.#o.source, details);
  }

  #systemEvent(type: string, message: string, details: object): AuditEvent {
    return {
      v: 1,
      id: newEventId(),
      time: eventTime(undefined).time,
      type,
      category: 'system',
      action: 'execute',
      outcome: 'success',
      severity: 'info',
      message,
      actor: { type: 'system' },
      source: this.#o.source,
      details: details as Record<string, unknown>,
    };
  }
}

/**
 * The event that carries a checkpoint. Everything in it but `source` and `details` follows from
 * the signed checkpoint, so verification can tell if any of it was changed.
 */
export function checkpointEvent(
  checkpoint: Checkpoint,
  source: Source,
  details: CheckpointDetails,
): AuditEvent {
  return {
    v: 1,
    id: checkpoint.id,
    time: checkpoint.time,
    type: CHECKPOINT_TYPE,
    category: 'system',
    action: 'execute',
    outcome: 'success',
    severity: 'info',
    message: `checkpoint of ${checkpoint.size} events`,
    actor: { type: 'system' },
    source,
    details: details as unknown as Record<string, unknown>,
  };
}
