/** What the console's routes share, built once per server. */
import type { ConsoleAudit } from './console-events';
import type { Exporter } from './export/exporter';
import type { Ingestor } from './ingest';
import type { IntegrityChecker } from './integrity';
import type { WatchedKeys } from './key-watch';
import type { ResolvedServerOptions } from './options';
import type { LiveSessions } from './sessions';
import type { StreamHub } from './stream/hub';

export interface ConsoleDeps {
  options: ResolvedServerOptions;
  keys: WatchedKeys;
  audit: ConsoleAudit;
  ingestor: Ingestor;
  integrity: IntegrityChecker;
  sessions: LiveSessions;
  exporter: Exporter;
  hub: StreamHub;
}
