/**
 * Verification of sealed events: every event's hash, the chain's links, the checkpoints' Merkle
 * roots and signatures. Needs only the events and, for signatures, the public keys. Reports the
 * first break of each chain with its place and kind.
 */
import { type KeyObject, verify as verifySignature } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../defaults';
import { canonicalize } from '../seal/canonical';
import { bytesOfHex, sha256Hex, unsignedHash } from '../seal/digest';
import { loadPublicKeys } from '../seal/keys';
import { eventLeaf, MerkleFrontier } from '../seal/merkle';
import {
  CHAIN_STARTED_TYPE,
  CHECKPOINT_TYPE,
  type Checkpoint,
  type CheckpointDetails,
  checkpointEvent,
  checkpointPayload,
  expectedHash,
} from '../seal/sealer';
import { type SealVersion, sealVersion } from '../seal/version';
import { listAuditFiles } from '../sinks/file-rotation';
import type { AuditEvent } from '../types';
import { bytesAre, findSealFields, lineSeal, noLineFields, readSeal, scanLine } from './line-scan';
import { UnvouchedLines } from './unvouched-lines';

export type BreakKind =
  | 'unparseable'
  | 'unsealed'
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'forged'
  | 'bad-signature'
  | 'unknown-key'
  | 'unsigned'
  | 'empty';

/** Where a break was found. */
export interface VerifyLocation {
  file?: string;
  /** 1-based line within `file`. */
  line?: number;
}

export interface VerifyBreak extends VerifyLocation {
  kind: BreakKind;
  message: string;
  chain?: string;
  seq?: number;
  eventId?: string;
}

export interface ChainReport {
  chain: string;
  events: number;
  firstSeq: number;
  lastSeq: number;
  lastHash: string;
  checkpoints: number;
  /** The newest checkpoint whose Merkle root matched (and signature, when keys were given). */
  lastCheckpoint?: { seq: number; size: number; time: string; kid: string; signatureChecked: boolean };
  /** Events after the last checkpoint: not covered by a signature yet (a live or crashed writer, or a cut tail). */
  uncovered: number;
  /** The head of the chain this one continues, as its first event names it. */
  follows?: { chain: string; seq: number; hash: string };
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  chains: ChainReport[];
  /** The first break of each chain, and lines that are not events, in the order found. */
  breaks: VerifyBreak[];
  /** False when no public key was given: checkpoints were checked against the events, not their signatures. */
  signaturesChecked: boolean;
  /** What could not be checked, in plain sentences (a chain without checkpoints: its hash chain only). */
  notices: string[];
}

export interface VerifyOptions {
  /** Ed25519 public keys (PEM text, PEM file paths or KeyObjects) that may sign checkpoints. */
  publicKeys?: ReadonlyArray<string | KeyObject>;
  /**
   * The writers closed cleanly, so every chain must end in a signed checkpoint; events after the
   * last one mean the tail (with its final checkpoint) was cut. Default false: a live writer's
   * newest events are not covered yet.
   */
  expectClosed?: boolean;
  /** Checkpoint files written with `integrity.checkpointFile`: events they cover must all be present. */
  checkpoints?: ReadonlyArray<{ checkpoint: Checkpoint; kid?: string; signature?: string }>;
  /** Zero events verify as OK. Default false: finding nothing to verify is a failure, not a pass. */
  allowEmpty?: boolean;
  /**
   * Most events a chain may have after its last valid checkpoint. More is a break (`unsigned`):
   * checkpoints were stripped from a re-hashed rewrite, or the writer did not sign. Default: with
   * `publicKeys`, the writers' default `integrity.checkpointEvery` (1000); without, no limit.
   * Raise it for writers with a larger `checkpointEvery` or time-based checkpoints only.
   */
  maxUnsigned?: number;
  /** Called every `progressEvery` lines (default 10,000) with the lines read so far: for a progress display. */
  onProgress?: (progress: VerifyProgress) => void;
  /** Lines between two `onProgress` calls. Default 10,000. */
  progressEvery?: number;
  /**
   * Threads that verify parts of the files at once (`verifyFiles`): the calling thread and
   * `threads - 1` workers; 1 verifies on the calling thread alone. Default:
   * `os.availableParallelism()` for trails of 8 MiB or more, else 1.
   */
  threads?: number;
}

/** How far `verifyFiles` has read. */
export interface VerifyProgress {
  /** Lines read so far, over all files. */
  lines: number;
  /** The file being read. */
  file: string;
  /** Its position among the files (1-based) and how many there are. */
  fileIndex: number;
  files: number;
}

/** `maxUnsigned` as given, or its default; anything but a whole number ≥ 0 (or Infinity) is a TypeError. */
function resolveMaxUnsigned(options: VerifyOptions): number {
  const value = options.maxUnsigned;
  if (value === undefined)
    return (options.publicKeys?.length ?? 0) > 0
      ? DEFAULTS.integrity.checkpointEvery
      : Number.POSITIVE_INFINITY;
  if (
    typeof value !== 'number' ||
    !(value >= 0) ||
    (!Number.isInteger(value) && value !== Number.POSITIVE_INFINITY)
  )
    throw new TypeError(
      `verify: maxUnsigned must be a whole number >= 0, got ${typeof value === 'string' ? `the string "${value}"` : String(value)}`,
    );
  return value;
}

interface ChainState {
  report: ChainReport;
  expected: number;
  lastHash: string | null;
  frontier: MerkleFrontier;
  /** Missing sequence numbers found while reading, waiting to see whether they come later. */
  gap: { from: number; to: number; at: VerifyBreak } | undefined;
  broken: boolean;
  /** The newest event is a final checkpoint: its writer closed here. */
  closed: boolean;
  lastSource: AuditEvent['source'] | undefined;
  /** The newest event's `source` as bytes still to parse (read from a line's bytes), or undefined. */
  sourceBytes: Buffer | undefined;
  sourceStart: number;
  sourceEnd: number;
  /**
   * A part of a trail only: the chain began before it, so its Merkle frontier is unknown until
   * its first checkpoint here. `pending` holds the event hashes until then; `deferred` that
   * checkpoint, for whoever verified the part before to check.
   */
  headless?: { firstPrev: string | null; pending: SealedHash[] | undefined; deferred?: DeferredCheckpoint };
}

/** An event's hash and the version of its seal: what its Merkle leaf follows from. */
export interface SealedHash {
  hash: string;
  v: SealVersion;
}

/** The first checkpoint of a chain that began before a part of the trail, unchecked. */
export interface DeferredCheckpoint {
  /** Event hashes of the chain before it in this part. */
  pending: SealedHash[];
  /** The checkpoint's line. */
  line: string;
  /** The `source` (as JSON) of the event before it, when that event is in this part. */
  sourceBefore?: string;
}

/** One chain as a part of a trail left it, for `ChainVerifier.adoptPart`. */
export interface ChainPart {
  report: ChainReport;
  expected: number;
  lastHash: string | null;
  frontier: { size: number; nodes: string[] };
  closed: boolean;
  /** The newest event's `source` as JSON, when it has one. */
  source?: string;
  /** Set when the chain began before this part: its first link, and what waits for the part before. */
  headless?: { firstPrev: string | null; pending?: SealedHash[]; deferred?: DeferredCheckpoint };
}

/** What a part of a trail (a range of lines) held, when nothing in it was broken. */
export interface TrailPart {
  events: number;
  chains: ChainPart[];
  /** Lines of checkpoint files found among the events. */
  checkpoints: NonNullable<VerifyOptions['checkpoints']>[number][];
}

const ROTATED_SUFFIX = /\.\d{8}T\d{6}Z\.\d+\.jsonl(\.gz)?$/;

/** The `type` values (as JSON) whose events the verifier reads in full. */
const SPECIAL_TYPES = [CHECKPOINT_TYPE, CHAIN_STARTED_TYPE].map((t) => Buffer.from(JSON.stringify(t)));

function isSpecialType(b: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (b[k] === 0x5c) return true; // escaped: let the full parse read it
  for (const t of SPECIAL_TYPES)
    if (t.length === end - start && b.compare(t, 0, t.length, start, end) === 0) return true;
  return false;
}

/**
 * The hash of `b[start, end)` without the member at `[cut, cutEnd)`: the line as it was hashed,
 * under seal `version`. The bytes before the member are moved up over it (`restore` puts them
 * back), so nothing is copied but that part of the line.
 */
function hashWithout(
  b: Buffer,
  start: number,
  end: number,
  cut: number,
  cutEnd: number,
  version: SealVersion,
): string {
  const shift = cutEnd - cut;
  b.copyWithin(start + shift, start, cut);
  if (version === 1) return sha256Hex(b.subarray(start + shift, end));
  // Version 2 hashes 0x00 ‖ the text: the byte before the moved text was the removed member's.
  b[start + shift - 1] = 0;
  return sha256Hex(b.subarray(start + shift - 1, end));
}

/** Undoes `hashWithout`, given the member it removed. */
function restore(b: Buffer, start: number, cut: number, member: string): void {
  b.copyWithin(start, start + member.length, cut + member.length);
  b.write(member, cut, 'latin1');
}

/** Checks events one by one, in stored order, keeping O(log n) state per chain. */
export class ChainVerifier {
  readonly #chains = new Map<string, ChainState>();
  readonly #breaks: VerifyBreak[] = [];
  readonly #keys: Map<string, KeyObject>;
  readonly #checkpoints: NonNullable<VerifyOptions['checkpoints']>[number][];
  readonly #expectClosed: boolean;
  readonly #allowEmpty: boolean;
  readonly #maxUnsigned: number;
  #events = 0;
  /** Verifying a part of a trail: chains may begin before it (see `ChainState.headless`). */
  readonly #part: boolean;
  /** A part whose result cannot be handed on (a checkpoint that cannot seed a frontier). */
  #unsure = false;
  /** Lines read without the validating scan, until a signed checkpoint covers them (`lazy`). */
  readonly #unvouched: UnvouchedLines | undefined;
  readonly #seal = lineSeal();
  /** The chain of the line before: most lines name the same one, so its name is read once. */
  #chainName = '';
  /** `#chainName` is ASCII: its bytes are its characters. */
  #chainAscii = true;
  readonly #fields = noLineFields();

  /**
   * `part`: verify one range of a trail's lines, to be joined with `adoptPart` (verifyFiles'
   * threads). `lazy` (with public keys): lines read as bytes are checked to be JSON only when no
   * signed checkpoint covers them, when the report is made; if one is not, `strictRunNeeded` says
   * the report may differ from the line-by-line one, and the lines must be verified again without.
   */
  constructor(options: VerifyOptions = {}, part = false, lazy = false) {
    this.#part = part;
    this.#keys = loadPublicKeys(options.publicKeys ?? []);
    this.#unvouched = lazy && this.#keys.size > 0 ? new UnvouchedLines() : undefined;
    this.#checkpoints = [...(options.checkpoints ?? [])];
    this.#expectClosed = options.expectClosed ?? false;
    this.#allowEmpty = options.allowEmpty ?? false;
    this.#maxUnsigned = resolveMaxUnsigned(options);
  }

  /** One stored line (JSON Lines). */
  addLine(text: string, where: VerifyLocation = {}): void {
    let event: AuditEvent;
    try {
      event = JSON.parse(text) as AuditEvent;
    } catch {
      this.#breaks.push({ kind: 'unparseable', message: 'line is not JSON', ...where });
      return;
    }
    const record = event as unknown as { checkpoint?: Checkpoint; v?: unknown };
    if (record && record.v === undefined && record.checkpoint) {
      // A line of a checkpoint file (`integrity.checkpointFile`), given alongside the events.
      this.#checkpoints.push(record as { checkpoint: Checkpoint });
      return;
    }
    this.#add(event, where, text);
  }

  /**
   * One stored line as bytes, `b[start, end)`. A line as the sealer writes it (an ordinary event
   * whose hash and place in its chain check out) is verified from its bytes without being parsed;
   * anything else goes through `addLine`, with the same result.
   */
  addLineBytes(b: Buffer, start: number, end: number, file?: string, line?: number): void {
    if (!this.#fromBytes(b, start, end)) this.addLine(b.toString('utf8', start, end), { file, line });
  }

  /** True when the line was verified from its bytes, and counted; false leaves everything as it was. */
  #fromBytes(b: Buffer, start: number, end: number): boolean {
    const f = this.#fields;
    const found = this.#unvouched ? findSealFields(b, start, end, f) : scanLine(b, start, end, f);
    if (!found || f.integrityStart < 0) return false;
    const seal = this.#seal;
    if (!readSeal(b, f.integrityStart, f.integrityEnd, seal)) return false;
    if (f.typeStart >= 0 && isSpecialType(b, f.typeStart, f.typeEnd)) return false;
    // Compared byte to character only while the name is ASCII: a service or instance name may be
    // any text, and its UTF-8 bytes can spell another name's characters.
    if (!this.#chainAscii || !bytesAre(b, seal.chainFrom, seal.chainTo, this.#chainName)) {
      this.#chainName = b.toString('utf8', seal.chainFrom, seal.chainTo);
      this.#chainAscii = this.#chainName.length === seal.chainTo - seal.chainFrom;
    }
    const chain = this.#chainName;
    let known = this.#chains.get(chain);
    if (!known && this.#part && seal.seq > 0) {
      const prev = seal.prevFrom < 0 ? null : b.toString('latin1', seal.prevFrom, seal.prevTo);
      known = this.#state(chain, seal.seq, prev);
    }
    if (known?.broken) return false;
    // Not the next link (or the first of a new chain): the full path says what is wrong.
    const lastHash = known ? known.lastHash : null;
    if (seal.seq !== (known ? known.expected : 0)) return false;
    if (lastHash === null ? seal.prevFrom >= 0 : !bytesAre(b, seal.prevFrom, seal.prevTo, lastHash))
      return false;
    // `hashMatches` removes the first such member: here it must be the seal's own. Read on trust,
    // no earlier text may even hold the hash's first 16 digits (a short search costs a third).
    if (
      this.#unvouched
        ? b.indexOf(b.subarray(seal.hashFrom, seal.hashFrom + 16), start) !== seal.hashFrom
        : f.firstHashKey !== seal.memberStart
    )
      return false;
    const hash = b.toString('latin1', seal.hashFrom, seal.hashFrom + 64);
    if (hashWithout(b, start, end, seal.memberStart, seal.memberEnd, seal.version) !== hash) {
      restore(b, start, seal.memberStart, `"hash":"${hash}",`);
      return false;
    }
    this.#events++;
    const st = known ?? this.#state(chain, seal.seq, null);
    st.report.events++;
    this.#appendLeaf(st, hash, seal.version);
    st.lastSource = undefined;
    st.sourceBytes = f.sourceStart >= 0 ? b : undefined;
    // What stood before the hash member was moved up over it.
    const moved = f.sourceStart < seal.memberStart ? seal.memberEnd - seal.memberStart : 0;
    st.sourceStart = f.sourceStart + moved;
    st.sourceEnd = f.sourceEnd + moved;
    st.expected = seal.seq + 1;
    st.lastHash = hash;
    st.report.lastSeq = seal.seq;
    st.report.lastHash = hash;
    st.report.uncovered++;
    st.closed = false;
    this.#unvouched?.add(st, b, start + seal.memberEnd - seal.memberStart, end);
    return true;
  }

  /** One event read from a store. */
  addEvent(event: AuditEvent, where: VerifyLocation = {}): void {
    this.#add(event, where, undefined);
  }

  #add(event: AuditEvent, where: VerifyLocation, text: string | undefined): void {
    this.#events++;
    const i = event?.integrity;
    if (!i || typeof i.chain !== 'string' || !Number.isInteger(i.seq) || typeof i.hash !== 'string') {
      this.#breaks.push({
        kind: 'unsealed',
        message: 'event has no integrity seal',
        eventId: event?.id,
        ...where,
      });
      return;
    }
    const st = this.#state(i.chain, i.seq, i.prev);
    st.report.events++;
    const at = (kind: BreakKind, message: string): VerifyBreak => ({
      kind,
      message,
      chain: i.chain,
      seq: i.seq,
      eventId: event.id,
      ...where,
    });
    if (st.broken) {
      if (st.gap && i.seq >= st.gap.from && i.seq <= st.gap.to) {
        st.gap.at.kind = 'reordered';
        st.gap.at.message = `events are out of order: seq ${i.seq} is stored after seq ${st.gap.to + 1}`;
        this.#breaks.push(st.gap.at);
        st.gap = undefined;
      }
      return;
    }
    const version = sealVersion(i);
    const problem = linkProblem(st, event, text, version, at);
    if (problem) {
      if (problem.kind === 'deleted') {
        // Maybe only out of order: if the missing events come later, it is a reordering.
        st.broken = true;
        st.gap = { from: st.expected, to: i.seq - 1, at: problem };
      } else this.#break(st, problem);
      return;
    }
    if (event.type === CHECKPOINT_TYPE) {
      if (st.headless?.pending) {
        if (!this.#defer(st, event, text)) return;
      } else if (!this.#checkpoint(st, event, at)) return;
    }
    if (event.type === CHAIN_STARTED_TYPE && i.seq === 0) {
      const previous = (event.details as { previous?: ChainReport['follows'] } | undefined)?.previous;
      if (previous) st.report.follows = previous;
    }
    this.#appendLeaf(st, i.hash, version!);
    st.lastSource = event.source;
    st.sourceBytes = undefined;
    st.expected = i.seq + 1;
    st.lastHash = i.hash;
    st.report.lastSeq = i.seq;
    st.report.lastHash = i.hash;
    st.report.uncovered = event.type === CHECKPOINT_TYPE ? 0 : st.report.uncovered + 1;
    st.closed =
      event.type === CHECKPOINT_TYPE &&
      (event.details as Partial<CheckpointDetails>).checkpoint?.final === true;
  }

  /** A checkpoint must sum up exactly the events before it, and be signed by a known key. */
  #checkpoint(st: ChainState, event: AuditEvent, at: (k: BreakKind, m: string) => VerifyBreak): boolean {
    const d = event.details as Partial<CheckpointDetails> | undefined;
    const cp = d?.checkpoint;
    const root = st.frontier.hexRoot();
    const frontier = st.frontier.hexNodes;
    const lastSource = this.#lastSource(st);
    if (
      !cp ||
      !sameCheckpointEvent(event, cp, d as CheckpointDetails, lastSource) ||
      canonicalize(d?.frontier) !== canonicalize(frontier) ||
      cp.chain !== st.report.chain ||
      cp.size !== event.integrity!.seq ||
      cp.seq !== event.integrity!.seq - 1 ||
      cp.hash !== st.lastHash ||
      cp.merkleRoot !== root
    ) {
      this.#break(
        st,
        at('forged', 'checkpoint does not match the events before it: they were rewritten and re-hashed'),
      );
      return false;
    }
    let signatureChecked = false;
    if (this.#keys.size > 0) {
      const key = d.kid ? this.#keys.get(d.kid) : undefined;
      if (!key) {
        this.#break(
          st,
          at(
            'unknown-key',
            `checkpoint is signed with key ${d.kid ?? '(none)'}, which is not among the public keys given`,
          ),
        );
        return false;
      }
      const ok =
        typeof d.signature === 'string' &&
        verifySignature(null, checkpointPayload(cp), key, Buffer.from(d.signature, 'base64'));
      if (!ok) {
        this.#break(
          st,
          at('bad-signature', 'checkpoint signature does not verify: the checkpoint was forged or altered'),
        );
        return false;
      }
      signatureChecked = true;
      this.#unvouched?.vouch(st);
    }
    st.report.checkpoints++;
    st.report.lastCheckpoint = {
      seq: cp.seq,
      size: cp.size,
      time: cp.time,
      kid: d.kid ?? '',
      signatureChecked,
    };
    return true;
  }

  /** The newest event's `source`. */
  #lastSource(st: ChainState): AuditEvent['source'] | undefined {
    if (!st.sourceBytes) return st.lastSource;
    const text = st.sourceBytes.toString('utf8', st.sourceStart, st.sourceEnd);
    if (!this.#unvouched) return JSON.parse(text) as AuditEvent['source'];
    try {
      return JSON.parse(text) as AuditEvent['source'];
    } catch {
      // Read from a line taken on trust that is not JSON.
      this.#unvouched.fail();
      return undefined;
    }
  }

  /** True when a line read on trust (`lazy`) was not JSON: this report may differ from the line-by-line one. */
  get strictRunNeeded(): boolean {
    return this.#unvouched !== undefined && !this.#unvouched.allJson;
  }

  #appendLeaf(st: ChainState, hash: string, version: SealVersion): void {
    if (st.headless?.pending) st.headless.pending.push({ hash, v: version });
    else if (!st.frontier.appendEventHash(hash, version)) st.frontier.append(eventLeaf(hash, version));
  }

  /**
   * The first checkpoint of a chain that began before this part: kept for the part before to
   * check, and its frontier taken as the chain's (that check compares the two).
   */
  #defer(st: ChainState, event: AuditEvent, text: string | undefined): boolean {
    const d = event.details as Partial<CheckpointDetails> | undefined;
    const size = d?.checkpoint?.size;
    const nodes = d?.frontier;
    try {
      if (!Number.isInteger(size) || !Array.isArray(nodes) || text === undefined) throw new RangeError();
      st.frontier = new MerkleFrontier(
        size,
        nodes.map((n) =>
          typeof n === 'string' && /^[0-9a-f]{64}$/.test(n) ? bytesOfHex(n) : new Uint8Array(0),
        ),
      );
    } catch {
      // Not a frontier to go on from: the whole trail is verified in one piece instead.
      this.#unsure = true;
      st.broken = true;
      return false;
    }
    const h = st.headless!;
    const before = h.pending!.length > 0 ? this.#lastSource(st) : undefined;
    h.deferred = {
      pending: h.pending!,
      line: text,
      ...(before !== undefined && { sourceBefore: JSON.stringify(before) }),
    };
    h.pending = undefined;
    return true;
  }

  /** This part's chains and events, or undefined when something in it is broken. */
  part(): TrailPart | undefined {
    if (this.#unvouched && !this.#unvouched.settle()) return undefined;
    if (this.#unsure || this.#breaks.length > 0) return undefined;
    const chains: ChainPart[] = [];
    for (const st of this.#chains.values()) {
      if (st.broken || st.gap) return undefined;
      const source = this.#lastSource(st);
      chains.push({
        report: st.report,
        expected: st.expected,
        lastHash: st.lastHash,
        frontier: { size: st.frontier.size, nodes: st.frontier.hexNodes },
        closed: st.closed,
        ...(source !== undefined && { source: JSON.stringify(source) }),
        ...(st.headless && { headless: st.headless }),
      });
    }
    if (this.strictRunNeeded) return undefined;
    return { events: this.#events, chains, checkpoints: this.#checkpoints };
  }

  /**
   * Joins the next part of the trail (verified by a `part` verifier) to what this one has read,
   * as if its lines had been added here. False when the seam does not hold (a chain does not go
   * on where it left off) or a deferred checkpoint fails: then only verifying the trail in one
   * piece reports it exactly, and this verifier must be dropped.
   */
  adoptPart(part: TrailPart): boolean {
    this.#checkpoints.push(...part.checkpoints);
    for (const c of part.chains) {
      const st = this.#chains.get(c.report.chain);
      if (!c.headless) {
        if (st) return false;
        this.#events += c.report.events;
        const adopted = this.#state(c.report.chain, c.report.firstSeq, null);
        adopted.report = { ...c.report };
        this.#resume(adopted, c);
        continue;
      }
      if (!st || st.broken || c.report.firstSeq !== st.expected || c.headless.firstPrev !== st.lastHash)
        return false;
      const d = c.headless.deferred;
      const pending = d ? d.pending : (c.headless.pending ?? []);
      for (const { hash, v } of pending) {
        this.#appendLeaf(st, hash, v);
        st.expected++;
        st.lastHash = hash;
      }
      st.report.uncovered += pending.length;
      st.report.events += pending.length;
      this.#events += pending.length;
      if (pending.length > 0) {
        st.report.lastSeq = st.expected - 1;
        st.report.lastHash = st.lastHash!;
        st.closed = false;
      }
      if (!d) {
        st.lastSource = c.source === undefined ? undefined : JSON.parse(c.source);
        st.sourceBytes = undefined;
        continue;
      }
      if (d.sourceBefore !== undefined) {
        st.lastSource = JSON.parse(d.sourceBefore);
        st.sourceBytes = undefined;
      }
      const breaks = this.#breaks.length;
      this.addLine(d.line);
      if (this.#breaks.length > breaks || st.broken) return false;
      // The events after the deferred checkpoint, as the part counted them.
      const after = c.report.events - pending.length - 1;
      st.report.events += after;
      this.#events += after;
      st.report.checkpoints += c.report.checkpoints;
      if (c.report.lastCheckpoint) st.report.lastCheckpoint = c.report.lastCheckpoint;
      st.report.uncovered = c.report.uncovered;
      this.#resume(st, c);
    }
    return true;
  }

  /** Where a chain stands at the end of a part. */
  #resume(st: ChainState, c: ChainPart): void {
    st.expected = c.expected;
    st.lastHash = c.lastHash;
    st.frontier = new MerkleFrontier(c.frontier.size, c.frontier.nodes.map(bytesOfHex));
    st.closed = c.closed;
    st.lastSource = c.source === undefined ? undefined : JSON.parse(c.source);
    st.sourceBytes = undefined;
    st.report.lastSeq = c.report.lastSeq;
    st.report.lastHash = c.report.lastHash;
  }

  #break(st: ChainState, b: VerifyBreak): void {
    st.broken = true;
    this.#breaks.push(b);
  }

  #state(chain: string, seq: number, prev: unknown): ChainState {
    let st = this.#chains.get(chain);
    if (!st) {
      st = {
        report: {
          chain,
          events: 0,
          firstSeq: seq,
          lastSeq: -1,
          lastHash: '',
          checkpoints: 0,
          uncovered: 0,
          ok: true,
        },
        expected: 0,
        lastHash: null,
        frontier: new MerkleFrontier(),
        gap: undefined,
        broken: false,
        closed: false,
        lastSource: undefined,
        sourceBytes: undefined,
        sourceStart: -1,
        sourceEnd: -1,
      };
      if (this.#part && seq > 0) {
        // Began before this part: its first link is checked when the parts are joined.
        const firstPrev = typeof prev === 'string' ? prev : null;
        st.expected = seq;
        st.lastHash = firstPrev;
        st.headless = { firstPrev, pending: [] };
      }
      this.#chains.set(chain, st);
    }
    return st;
  }

  finish(): VerifyReport {
    this.#unvouched?.settle();
    for (const st of this.#chains.values()) {
      if (st.gap) this.#breaks.push(st.gap.at);
      st.gap = undefined;
    }
    // A later chain names the head its writer saw last: everything up to it must be here.
    for (const st of this.#chains.values()) {
      const f = st.report.follows;
      const prev = f && this.#chains.get(f.chain);
      if (!f || !prev || prev.broken) continue;
      if (prev.report.lastSeq < f.seq) {
        this.#break(prev, {
          kind: 'truncated',
          chain: f.chain,
          seq: prev.report.lastSeq + 1,
          message: `events ${prev.report.lastSeq + 1}..${f.seq} are missing at the end (chain ${st.report.chain} continues from seq ${f.seq})`,
        });
      } else if (prev.report.lastSeq === f.seq && prev.report.lastHash !== f.hash) {
        this.#break(prev, {
          kind: 'forged',
          chain: f.chain,
          seq: f.seq,
          message: `the last event differs from the head chain ${st.report.chain} names`,
        });
      }
    }
    for (const c of this.#checkpoints) {
      const st = this.#chains.get(c.checkpoint?.chain);
      if (!st) {
        this.#breaks.push({
          kind: 'truncated',
          chain: c.checkpoint.chain,
          message: `a checkpoint covers ${c.checkpoint.size} events of chain ${c.checkpoint.chain}, but none of them are here`,
        });
        continue;
      }
      if (!st.broken && st.report.lastSeq < c.checkpoint.seq) {
        this.#break(st, {
          kind: 'truncated',
          chain: st.report.chain,
          seq: st.report.lastSeq + 1,
          message: `a checkpoint covers ${c.checkpoint.size} events, but the chain ends at seq ${st.report.lastSeq}`,
        });
      }
    }
    const notices: string[] = [];
    for (const st of this.#chains.values()) {
      const { chain, uncovered, lastCheckpoint } = st.report;
      if (st.broken || uncovered <= this.#maxUnsigned) continue;
      this.#break(st, {
        kind: 'unsigned',
        chain,
        seq: st.report.lastSeq,
        message: `${uncovered} events ${lastCheckpoint ? `after the last valid checkpoint (seq ${lastCheckpoint.size})` : 'and not one valid checkpoint'}, more than the ${this.#maxUnsigned} a writer leaves unsigned: the checkpoints were removed from a rewritten trail, or its writer did not sign`,
      });
    }
    for (const st of this.#chains.values()) {
      if (st.broken || st.report.checkpoints > 0) continue;
      // Checkpoints exist only where the writer had a signing key. Without one and without public
      // keys here, the chain's hashes are all there is to check: say so, rather than call it cut.
      const closedUnknown = this.#expectClosed && this.#keys.size === 0;
      notices.push(
        `chain ${st.report.chain} has no checkpoints (written without a signing key, or its writer stopped before the first one): only its hash chain could be checked, which shows edits, deletions and reordering but not a cut tail or a re-hashed rewrite${closedUnknown ? '; whether its writer closed cleanly cannot be told' : ''}`,
      );
    }
    if (this.#expectClosed) {
      for (const st of this.#chains.values()) {
        if (st.broken || st.closed) continue;
        if (st.report.checkpoints === 0 && this.#keys.size === 0) continue;
        this.#break(st, {
          kind: 'truncated',
          chain: st.report.chain,
          seq: st.report.lastSeq,
          message:
            st.report.uncovered > 0
              ? `the chain does not end in a checkpoint: its last ${st.report.uncovered} events are not signed, and what followed them (at least the final checkpoint) is missing`
              : 'the chain ends at a periodic checkpoint, not at the final one its writer signs on close: the events after it were cut',
        });
      }
    }
    if (this.#events === 0 && !this.#allowEmpty)
      this.#breaks.push({
        kind: 'empty',
        message: 'no events found: an empty trail proves nothing (allow it with allowEmpty / --allow-empty)',
      });
    const chains = [...this.#chains.values()].map((st) => ({ ...st.report, ok: !st.broken }));
    return {
      ok: this.#breaks.length === 0,
      events: this.#events,
      chains,
      breaks: this.#breaks,
      signaturesChecked: this.#keys.size > 0,
      notices,
    };
  }
}

/**
 * A checkpoint event must be exactly the one its signed checkpoint implies, from the writer of the
 * events before it: nothing in it can be changed and re-hashed unnoticed, not even the last one.
 */
function sameCheckpointEvent(
  event: AuditEvent,
  cp: Checkpoint,
  details: CheckpointDetails,
  source: AuditEvent['source'] | undefined,
): boolean {
  const { integrity: _seal, ...rest } = event;
  return canonicalize(rest) === canonicalize(checkpointEvent(cp, source ?? event.source, details));
}

/** What is wrong with this event's hash or its place in the chain, if anything. */
function linkProblem(
  st: ChainState,
  event: AuditEvent,
  text: string | undefined,
  version: SealVersion | undefined,
  at: (kind: BreakKind, message: string) => VerifyBreak,
): VerifyBreak | undefined {
  const i = event.integrity!;
  if (version === undefined)
    return at(
      'modified',
      `the seal names version ${String(JSON.stringify(i.v))}, which is not one this verifier knows (absent or 2): it was changed after sealing, or written by a newer auditkit`,
    );
  if (!hashMatches(event, text, version))
    return at('modified', 'the event does not match its hash: it was changed after sealing');
  if (i.seq > st.expected)
    return at('deleted', `events ${st.expected}..${i.seq - 1} are missing before this one`);
  if (i.seq < st.expected) return at('inserted', `seq ${i.seq} appears again after seq ${st.expected - 1}`);
  if (i.prev !== st.lastHash) {
    return at(
      'inserted',
      'the event does not link to the one before it (prev differs): it was inserted or the chain was rewritten',
    );
  }
  return undefined;
}

/**
 * The fast way: a line we wrote is canonical JSON, so removing its hash member gives the exact
 * bytes that were hashed. Anything else (a store's re-serialized copy) is canonicalized first.
 */
function hashMatches(event: AuditEvent, text: string | undefined, version: SealVersion): boolean {
  const hash = event.integrity!.hash;
  if (text !== undefined) {
    const member = `"hash":"${hash}",`;
    const at = text.indexOf(member);
    if (at !== -1) {
      const unsigned = text.slice(0, at) + text.slice(at + member.length);
      if (unsignedHash(unsigned, version) === hash) return true;
    }
  }
  return expectedHash(event) === hash;
}

/**
 * The audit files `paths` name, oldest first: a file stands for itself and its rotated and
 * gzipped predecessors; a directory for every `*.jsonl` set in it.
 */
export async function resolveAuditFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const stat = await fsp.stat(p);
    if (stat.isDirectory()) {
      // Each set is named by its current file; rotated names map back to it.
      const current = new Set<string>();
      for (const n of await fsp.readdir(p)) {
        if (n.endsWith('.jsonl') || n.endsWith('.jsonl.gz')) current.add(n.replace(ROTATED_SUFFIX, '.jsonl'));
      }
      for (const n of [...current].sort()) out.push(...(await listAuditFiles(join(p, n))));
    } else if (p.endsWith('.jsonl')) {
      out.push(...(await listAuditFiles(p)));
    } else out.push(p);
  }
  return [...new Set(out)];
}
