import { alertLine } from '../format';
import type { AlertChannel } from '../types';

export interface ConsoleChannelOptions {
  /** Where lines go. Default `process.stderr`. */
  stream?: { write(chunk: string): unknown };
  /** Channel name in routes and stats. Default `console`. */
  name?: string;
}

/** One line per alert: for development, and for log collectors that watch stderr. */
export function consoleChannel(options: ConsoleChannelOptions = {}): AlertChannel {
  const stream = options.stream ?? process.stderr;
  return {
    name: options.name ?? 'console',
    async send(n) {
      let out = '';
      for (const a of n.alerts)
        out += `auditkit alert${n.reason === 'escalated' ? ' ESCALATED' : ''}: ${alertLine(a)} [${a.id}]\n`;
      stream.write(out);
    },
  };
}
