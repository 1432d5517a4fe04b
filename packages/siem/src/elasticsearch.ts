/**
 * Elasticsearch / OpenSearch `_bulk` sink. Each event is a `create` with the event id as `_id`, so
 * a replayed batch is answered 409 for what is already stored and never duplicates.
 */
import type { AuditSink, Batch } from '@auditkit/core/store';
import { compileFormat, type EventFormat } from './formats';
import { endpoint, failOnStatus, post, SiemDeliveryError } from './http';
import { compileIndexPattern } from './index-pattern';

export interface ElasticsearchSinkOptions {
  /** Base URL of the cluster, e.g. `https://es.internal:9200`. Required. */
  node: string;
  /** Index name; `{yyyy.MM.dd}`-style placeholders take the event's UTC date. Default `audit-events-{yyyy.MM.dd}`. */
  index?: string;
  /** `{ username, password }` (Basic) or `{ apiKey }` (ApiKey header). Default none. */
  auth?: { username: string; password: string } | { apiKey: string };
  /** Document shape. Default `ecs`. */
  format?: EventFormat;
  /** Ingest pipeline applied to every document. Default none. */
  pipeline?: string;
  /** Items answered 429 or 5xx are re-sent this many times within one write, with doubling delay. Default 3. */
  itemRetries?: number;
  /** First delay before re-sending failed items (ms). Default 100. */
  itemRetryDelayMs?: number;
  /** Longest wait for one `_bulk` request (ms). Default 10000. */
  timeoutMs?: number;
  /** Extra request headers. Default none. */
  headers?: Record<string, string>;
  /** Sink name in stats and health. Default `elasticsearch`. */
  name?: string;
}

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

interface BulkResponse {
  errors?: boolean;
  items?: Array<Record<string, BulkItemResult>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function authHeader(auth: ElasticsearchSinkOptions['auth']): Record<string, string> {
  if (!auth) return {};
  if ('apiKey' in auth) return { authorization: `ApiKey ${auth.apiKey}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

export function elasticsearchSink(options: ElasticsearchSinkOptions): AuditSink {
  const { url: base, auth: urlAuth } = endpoint(options?.node, 'elasticsearchSink: node');
  const url = new URL('_bulk', base.href.endsWith('/') ? base : `${base.href}/`);
  if (options.pipeline) url.searchParams.set('pipeline', options.pipeline);
  const bulkUrl = url.toString();
  const name = options.name ?? 'elasticsearch';
  const indexOf = compileIndexPattern(options.index ?? 'audit-events-{yyyy.MM.dd}');
  const format = compileFormat(options.format ?? 'ecs');
  const itemRetries = options.itemRetries ?? 3;
  const retryDelay = options.itemRetryDelayMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = {
    'content-type': 'application/x-ndjson',
    ...urlAuth,
    ...authHeader(options.auth),
    ...options.headers,
  };

  /** Sends `lines` (action + document pairs) and returns the indexes whose items must be re-sent. */
  async function send(lines: string[]): Promise<{ retry: number[]; rejected: string[] }> {
    const result = await post({
      url: bulkUrl,
      headers,
      body: `${lines.join('\n')}\n`,
      timeoutMs,
      sink: name,
    });
    failOnStatus(result, name, bulkUrl);
    let body: BulkResponse;
    try {
      body = JSON.parse(result.text) as BulkResponse;
    } catch (error) {
      throw new SiemDeliveryError(`${name}: _bulk answered ${result.status} with a body that is not JSON`, {
        retryable: true,
        cause: error,
      });
    }
    const retry: number[] = [];
    const rejected: string[] = [];
    if (!body.errors) return { retry, rejected };
    const items = body.items ?? [];
    if (items.length !== lines.length / 2) {
      throw new SiemDeliveryError(
        `${name}: _bulk answered ${items.length} items for ${lines.length / 2} documents`,
        {
          retryable: true,
        },
      );
    }
    items.forEach((item, i) => {
      const r = Object.values(item)[0];
      if (!r || (r.status >= 200 && r.status < 300) || r.status === 409) return; // 409: already stored
      if (r.status === 429 || r.status >= 500) retry.push(i);
      else rejected.push(`${r.status} ${r.error?.type ?? 'error'}: ${r.error?.reason ?? 'no reason given'}`);
    });
    return { retry, rejected };
  }

  return {
    name,
    async write(batch: Batch): Promise<void> {
      let lines: string[] = [];
      for (const event of batch.events) {
        lines.push(
          JSON.stringify({ create: { _index: indexOf(event.time), _id: event.id } }),
          JSON.stringify(format(event)),
        );
      }
      const rejected: string[] = [];
      for (let attempt = 0; ; attempt++) {
        const outcome = await send(lines);
        rejected.push(...outcome.rejected);
        if (outcome.retry.length === 0) break;
        if (attempt >= itemRetries) {
          throw new SiemDeliveryError(
            `${name}: ${outcome.retry.length} of ${batch.events.length} events still refused (429/5xx) after ${itemRetries} re-sends`,
            { retryable: true },
          );
        }
        lines = outcome.retry.flatMap((i) => [lines[2 * i]!, lines[2 * i + 1]!]);
        await sleep(retryDelay * 2 ** attempt);
      }
      if (rejected.length > 0) {
        // Mapping and validation errors fail the same way on every try: report them, do not loop.
        throw new SiemDeliveryError(
          `${name}: ${rejected.length} of ${batch.events.length} events rejected: ${rejected[0]}`,
          {
            retryable: false,
          },
        );
      }
    },
    async close(): Promise<void> {},
  };
}
