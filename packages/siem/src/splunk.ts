/**
 * Splunk HTTP Event Collector sink: one POST per batch to `/services/collector/event`, events as
 * concatenated JSON objects, `Authorization: Splunk <token>`.
 */
import type { AuditSink, Batch } from '@auditkit/core/store';
import { compileFormat, type EventFormat } from './formats';
import { endpoint, isRetryableStatus, post, SiemDeliveryError } from './http';

export interface SplunkHecSinkOptions {
  /** Base URL of the collector, e.g. `https://splunk.internal:8088`. Required. */
  url: string;
  /** HEC token. Required. */
  token: string;
  /** Target index. Default: the token's default index. */
  index?: string;
  /** `source` of every event. Default `auditkit`. */
  source?: string;
  /** `sourcetype` of every event. Default `auditkit:event`. */
  sourcetype?: string;
  /** Event shape. Default `native`. */
  format?: EventFormat;
  /** `X-Splunk-Request-Channel`, needed where indexer acknowledgement is on. Default none. */
  channel?: string;
  /** Longest wait for one request (ms). Default 10000. */
  timeoutMs?: number;
  /** Sink name in stats and health. Default `splunk`. */
  name?: string;
}

interface HecReply {
  text?: string;
  code?: number;
  'invalid-event-number'?: number;
}

function parseReply(text: string): HecReply {
  try {
    return JSON.parse(text) as HecReply;
  } catch {
    return { text };
  }
}

export function splunkHecSink(options: SplunkHecSinkOptions): AuditSink {
  const base = endpoint(options?.url, 'splunkHecSink: url').url;
  if (typeof options.token !== 'string' || options.token.length === 0)
    throw new TypeError('auditkit: splunkHecSink: token is required');
  const collector = new URL(
    'services/collector/event',
    base.href.endsWith('/') ? base : `${base.href}/`,
  ).toString();
  const name = options.name ?? 'splunk';
  const format = compileFormat(options.format);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = {
    authorization: `Splunk ${options.token}`,
    'content-type': 'application/json',
  };
  if (options.channel) headers['x-splunk-request-channel'] = options.channel;
  const meta = {
    source: options.source ?? 'auditkit',
    sourcetype: options.sourcetype ?? 'auditkit:event',
    ...(options.index ? { index: options.index } : {}),
  };

  return {
    name,
    async write(batch: Batch): Promise<void> {
      let lines = batch.events.map((event) =>
        JSON.stringify({
          time: Date.parse(event.time) / 1000,
          host: event.source.host,
          ...meta,
          event: format(event),
        }),
      );
      const rejected: string[] = [];
      while (lines.length > 0) {
        const result = await post({ url: collector, headers, body: lines.join('\n'), timeoutMs, sink: name });
        if (result.status === 200) break;
        const reply = parseReply(result.text);
        const bad = reply['invalid-event-number'];
        if (result.status === 400 && typeof bad === 'number' && bad >= 0 && bad < lines.length) {
          // HEC indexed the events before the invalid one and stopped there: skip it, send the rest.
          rejected.push(`event ${bad}: ${reply.text ?? 'invalid'}`);
          lines = lines.slice(bad + 1);
          continue;
        }
        throw new SiemDeliveryError(
          `${name}: collector answered ${result.status} (code ${reply.code ?? '?'}): ${reply.text ?? ''}`.trim(),
          { retryable: isRetryableStatus(result.status), status: result.status },
        );
      }
      if (rejected.length > 0) {
        throw new SiemDeliveryError(`${name}: ${rejected.length} events rejected, ${rejected[0]}`, {
          retryable: false,
        });
      }
    },
    async close(): Promise<void> {},
  };
}
