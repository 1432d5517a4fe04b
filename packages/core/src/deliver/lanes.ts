import { join } from 'node:path';
import type { ResolvedOptions } from '../options';
import type { AuditError } from '../types';
import { CircuitBreaker } from './breaker';
import type { SinkRunner } from './delivery';
import { SinkLane } from './sink-lane';
import { Spill } from './spool/spill';
import { Spool } from './spool/spool';

type Report = (error: AuditError) => void;

/** A sink's lane: its runner, breaker and (when it has one) spool, reporting through `report`. */
export function buildLane(
  o: ResolvedOptions,
  runner: SinkRunner,
  spool: Spool | undefined,
  report: Report,
): SinkLane {
  return new SinkLane(
    runner,
    !o.bestEffort.has(runner.sink),
    new CircuitBreaker(o.breaker.failureThreshold, o.breaker.cooldownMs),
    spool,
    o.batch.maxEvents,
    {
      onSpoolFailure: (lane, error, events) =>
        report({
          kind: 'spool',
          sink: lane.name,
          cause: error,
          message: `${events} events for sink "${lane.name}" could not be spooled and are lost for it: ${String(error)}`,
        }),
      onOpen: (lane) =>
        report({
          kind: 'sink',
          sink: lane.name,
          message: `circuit for sink "${lane.name}" opened after ${o.breaker.failureThreshold} failed batches; ${
            lane.spool && lane.primary ? 'batches go to the spool' : 'batches are skipped'
          } for ${o.breaker.cooldownMs} ms`,
        }),
      onBadRecord: (lane, error) =>
        report({
          kind: 'spool',
          sink: lane.name,
          cause: error,
          message: `a spooled record for sink "${lane.name}" is not JSON Lines and was set aside: ${String(error)}`,
        }),
    },
  );
}

/**
 * One spool subdirectory per primary sink (per sink in durable mode), plus the overflow one
 * (`spill`) when `queue.overflow` is "spill". A spool that cannot be opened is reported; its lane
 * writes directly.
 */
export async function openLanes(
  o: ResolvedOptions,
  spool: NonNullable<ResolvedOptions['spool']>,
  runners: readonly SinkRunner[],
  report: Report,
): Promise<{ lanes: SinkLane[]; spill: Spill | undefined }> {
  const config = (dir: string) => ({
    dir,
    maxBytes: spool.maxBytes,
    segmentBytes: spool.segmentBytes,
    fsync: spool.fsync,
    onProblem: (problem: { message: string }) => report({ kind: 'spool', message: problem.message }),
  });
  const open = async (dir: string): Promise<Spool | undefined> => {
    try {
      return await Spool.open(config(dir));
    } catch (error) {
      report({
        kind: 'spool',
        cause: error,
        message: `spool ${dir} could not be opened: ${String(error)}`,
      });
      return undefined;
    }
  };
  const lanes: SinkLane[] = [];
  for (const runner of runners) {
    const spooled = o.durable || !o.bestEffort.has(runner.sink);
    const s = spooled
      ? await open(join(spool.dir, 'sinks', encodeURIComponent(runner.sink.name)))
      : undefined;
    lanes.push(buildLane(o, runner, s, report));
  }
  let spill: Spill | undefined;
  if (o.queue.overflow === 'spill') {
    const s = await open(join(spool.dir, 'overflow'));
    if (s) spill = new Spill(s);
  }
  return { lanes, spill };
}
