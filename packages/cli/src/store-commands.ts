/** `auditkit query` and `auditkit export`: the filter language against any store, by `--store`. */
import { parseAuditFilter } from '@auditkit/core';
import { openStore } from '@auditkit/open-store';
import { checkFormat, eventWriter } from './event-output';
import { type CliIO, EXIT } from './io';

export interface SelectionOptions {
  store: string;
  since?: string;
  until?: string;
  tenant?: string;
}

export interface QueryCommandOptions extends SelectionOptions {
  limit?: string;
  order?: string;
  cursor?: string;
  format: string;
}

export interface ExportCommandOptions extends SelectionOptions {
  format: string;
}

const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** The filter text with `--since` / `--until` as its own terms, parsed once (errors name the term). */
function filterOf(filter: string | undefined, options: SelectionOptions) {
  const parts = [filter ?? ''];
  if (options.since !== undefined) parts.push(`since:${quote(options.since)}`);
  if (options.until !== undefined) parts.push(`until:${quote(options.until)}`);
  return parseAuditFilter(parts.join(' '));
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new RangeError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

export async function queryCommand(
  filter: string | undefined,
  options: QueryCommandOptions,
  io: CliIO,
): Promise<number> {
  const format = checkFormat(options.format, ['table', 'json', 'csv']);
  const query = {
    filter: filterOf(filter, options),
    tenant: options.tenant,
    limit: integer(options.limit, 'limit'),
    order: options.order as 'asc' | 'desc' | undefined,
    cursor: options.cursor,
  };
  const opened = await openStore(options.store, { mustExist: true });
  try {
    const page = await opened.store.query(query);
    if (format === 'json') {
      io.out(`${JSON.stringify(page.nextCursor ? page : { events: page.events }, null, 2)}\n`);
      return EXIT.ok;
    }
    const writer = eventWriter(format);
    io.out(writer.start() + writer.page(page.events) + writer.end());
    if (page.nextCursor) io.err(`more events: add --cursor ${page.nextCursor}\n`);
    return EXIT.ok;
  } finally {
    await opened.close();
  }
}

/** Every match, oldest first, streamed page by page to stdout; memory holds one page. */
export async function exportCommand(
  filter: string | undefined,
  options: ExportCommandOptions,
  io: CliIO,
): Promise<number> {
  const format = checkFormat(options.format, ['csv', 'json', 'ndjson']);
  const selection = { filter: filterOf(filter, options), tenant: options.tenant };
  const write = io.write ?? (async (text: string) => io.out(text));
  const writer = eventWriter(format);
  const opened = await openStore(options.store, { mustExist: true });
  let count = 0;
  const progress = () => {
    if (io.errIsTTY) io.err(`\rexported ${count.toLocaleString('en-US')} events`);
  };
  try {
    await write(writer.start());
    let page = [];
    for await (const event of opened.store.iterate({ ...selection, order: 'asc', pageSize: 1000 })) {
      page.push(event);
      if (page.length < 1000) continue;
      await write(writer.page(page));
      count += page.length;
      page = [];
      progress();
    }
    await write(writer.page(page) + writer.end());
    count += page.length;
    progress();
    if (io.errIsTTY) io.err('\n');
    return EXIT.ok;
  } catch (error) {
    // The reader went away (`| head`): like other command-line tools, stop quietly.
    if ((error as { code?: unknown }).code === 'EPIPE') return EXIT.ok;
    throw error;
  } finally {
    await opened.close();
  }
}
