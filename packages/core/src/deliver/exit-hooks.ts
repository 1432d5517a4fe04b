/**
 * One set of process listeners shared by every logger, so many loggers never pile up listeners.
 * `beforeExit` flushes asynchronously; `exit` drains synchronously into sinks that can;
 * signals flush (close, when the signal is about to end the process) and then let the process end
 * as it would have.
 */
export interface ExitParticipant {
  /** True when events are waiting or in flight. */
  readonly busy: boolean;
  flush(): Promise<void>;
  close(): Promise<void>;
  drainSync(): void;
  readonly signals: readonly NodeJS.Signals[];
}

const participants = new Set<ExitParticipant>();
const signalHandlers = new Map<NodeJS.Signals, () => void>();
let processHooked = false;

/** Longest a signal waits for audit flushing before the process ends anyway. */
const SIGNAL_FLUSH_TIMEOUT_MS = 5000;

function onBeforeExit(): void {
  for (const p of participants) if (p.busy) void p.flush();
}

function onExit(): void {
  for (const p of participants) p.drainSync();
}

function hookSignal(signal: NodeJS.Signals): void {
  if (signalHandlers.has(signal)) return;
  const handler = (): void => {
    // Only this handler listens, so the re-raised signal ends the process: close, which seals each
    // chain's final checkpoint (a flush alone leaves a signed trail that `verify --closed` calls
    // cut). When the app handles the signal too, it owns shutdown and may go on logging: flush.
    const ending = process.listenerCount(signal) === 1;
    const flushing = [...participants]
      .filter((p) => p.signals.includes(signal))
      .map((p) => (ending ? p.close() : p.flush()));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_FLUSH_TIMEOUT_MS).unref());
    void Promise.race([Promise.allSettled(flushing), timeout]).then(() => {
      process.removeListener(signal, handler);
      signalHandlers.delete(signal);
      // Nobody else handles it: re-raise so the default action (exit with 128 + n) happens.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  signalHandlers.set(signal, handler);
  process.on(signal, handler);
}

export function registerExitParticipant(p: ExitParticipant): void {
  participants.add(p);
  if (!processHooked) {
    processHooked = true;
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
  }
  for (const signal of p.signals) hookSignal(signal);
}

export function unregisterExitParticipant(p: ExitParticipant): void {
  participants.delete(p);
  if (participants.size === 0 && processHooked) {
    processHooked = false;
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
  }
  for (const [signal, handler] of signalHandlers) {
    if (![...participants].some((q) => q.signals.includes(signal))) {
      process.removeListener(signal, handler);
      signalHandlers.delete(signal);
    }
  }
}
