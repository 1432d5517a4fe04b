/**
 * How `verifyFiles` cuts a trail into parts for its threads. Plain files are cut anywhere for free
 * (a part starts at the first line after its offset). A gzipped file can only be read from its
 * beginning, so a part inside it costs decompressing everything before it too: such files are cut
 * only where that makes the threads finish sooner, judged by playing the parts out in order on
 * the threads (each part to the thread free first, as they are handed out).
 */
import { promises as fsp } from 'node:fs';
import type { AuditFileRange } from '../sinks/tail';

/** About how much a gzipped audit file grows when read, when its trailer cannot say. */
const GZIP_RATIO = 8;
/** Smaller parts cost more in seams than they gain. */
const MIN_PART_BYTES = 64 * 1024;
/** Parts per thread of plain files: a few, so a thread that finishes early takes another. */
const PARTS_PER_THREAD = 4;
/** Decompressing a byte of a gzipped file costs about this much of verifying it. */
const INFLATE_COST = 0.2;
/** Cuts inside gzipped files that shorten the play by less than this share are not made. */
const MIN_GAIN = 0.01;
/** Gzipped files, from the newest back, considered for cuts: the end of the play is where threads idle. */
const CUT_CANDIDATES = 32;

export interface PartPlan {
  parts: AuditFileRange[];
  /** The trail's size, gzipped files counted as read. */
  bytes: number;
}

interface FilePlan {
  file: string;
  gzipped: boolean;
  /** Bytes as read (a gzipped file's from its trailer). */
  size: number;
  pieces: number;
}

/** A gzipped file's size as read: its trailer's ISIZE (the size modulo 2^32), unless that is implausible. */
async function gzippedSize(file: string, size: number): Promise<number> {
  const handle = await fsp.open(file, 'r');
  try {
    const trailer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(trailer, 0, 4, Math.max(0, size - 4));
    const isize = bytesRead === 4 ? trailer.readUInt32LE(0) : 0;
    return isize >= size ? isize : size * GZIP_RATIO;
  } finally {
    await handle.close();
  }
}

/** The cost of each part of `f`, in bytes verified. */
function pieceCosts(f: FilePlan): number[] {
  const costs: number[] = [];
  for (let k = 0; k < f.pieces; k++) {
    const from = (f.size * k) / f.pieces;
    const to = (f.size * (k + 1)) / f.pieces;
    costs.push(to - from + (f.gzipped ? INFLATE_COST * to : 0));
  }
  return costs;
}

/** When the last of `threads` would finish, each part going in order to the thread free first. */
function playOut(plans: readonly FilePlan[], threads: number): number {
  const free = new Array<number>(threads).fill(0);
  for (const f of plans)
    for (const cost of pieceCosts(f)) {
      let first = 0;
      for (let t = 1; t < threads; t++) if (free[t]! < free[first]!) first = t;
      free[first]! += cost;
    }
  return Math.max(...free);
}

/** The ranges `files` are verified in, oldest first. */
export async function planParts(files: readonly string[], threads: number): Promise<PartPlan> {
  let plans: FilePlan[];
  try {
    plans = await Promise.all(
      files.map(async (file) => {
        const { size } = await fsp.stat(file);
        const gzipped = file.endsWith('.gz');
        return { file, gzipped, size: gzipped ? await gzippedSize(file, size) : size, pieces: 1 };
      }),
    );
  } catch {
    // A file that cannot be read is reported by the single-threaded path, as it always was.
    return { parts: [], bytes: 0 };
  }
  const bytes = plans.reduce((sum, f) => sum + f.size, 0);
  const partBytes = Math.max(MIN_PART_BYTES, Math.ceil(bytes / (threads * PARTS_PER_THREAD)));
  for (const f of plans) if (!f.gzipped) f.pieces = Math.max(1, Math.ceil(f.size / partBytes));
  // Newest first: of cuts that help as much, the one nearest the end leaves the least to chance.
  const candidates = plans
    .filter((f) => f.gzipped && f.size >= 2 * MIN_PART_BYTES)
    .slice(-CUT_CANDIDATES)
    .reverse();
  for (let cuts = 0; cuts < threads * PARTS_PER_THREAD; cuts++) {
    const now = playOut(plans, threads);
    let best: FilePlan | undefined;
    let bestEnd = now * (1 - MIN_GAIN);
    for (const f of candidates) {
      if (f.size / (f.pieces + 1) < MIN_PART_BYTES) continue;
      f.pieces++;
      const end = playOut(plans, threads);
      f.pieces--;
      if (end < bestEnd) {
        best = f;
        // An older file must do clearly better.
        bestEnd = end * (1 - MIN_GAIN / 10);
      }
    }
    if (!best) break;
    best.pieces++;
  }
  const parts: AuditFileRange[] = [];
  for (const f of plans)
    for (let k = 0; k < f.pieces; k++)
      parts.push({
        file: f.file,
        start: Math.round((f.size * k) / f.pieces),
        // The last part reads to the end, whatever the size said.
        end: k === f.pieces - 1 ? Number.POSITIVE_INFINITY : Math.round((f.size * (k + 1)) / f.pieces),
      });
  return { parts, bytes };
}
