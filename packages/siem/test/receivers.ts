/**
 * Receivers that implement the documented wire behaviour of each destination, including its
 * partial failures, on real HTTP servers on ephemeral ports.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  url: string;
  close(): Promise<void>;
  /** Requests received, in order. */
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: string }>;
}

async function listen(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

export interface ElasticsearchReceiver extends Receiver {
  /** Stored documents by `<index>/<id>`. */
  docs: Map<string, Record<string, unknown>>;
  /** The next `times` bulk items for `id` are answered with `status` (429: es_rejected_execution_exception). */
  failItem(id: string, times: number, status?: number): void;
  /** Documents for which this returns true are refused like a mapping conflict (400). */
  rejectWhen(predicate: (doc: Record<string, unknown>) => boolean): void;
  /** The next `times` whole requests are answered with `status`. */
  failRequests(times: number, status: number): void;
}

/** `POST /_bulk` as Elasticsearch documents it: NDJSON action/source pairs, per-item results. */
export async function elasticsearchReceiver(
  options: { apiKey?: string } = {},
): Promise<ElasticsearchReceiver> {
  const docs = new Map<string, Record<string, unknown>>();
  const itemFailures = new Map<string, { times: number; status: number }>();
  let reject: (doc: Record<string, unknown>) => boolean = () => false;
  let requestFailures = { times: 0, status: 500 };
  const requests: Receiver['requests'] = [];
  const { server, url } = await listen((req, body, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (options.apiKey && req.headers.authorization !== `ApiKey ${options.apiKey}`) {
      return json(res, 401, {
        error: { type: 'security_exception', reason: 'missing authentication credentials' },
        status: 401,
      });
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/_bulk'))
      return json(res, 404, { error: 'no handler' });
    if (requestFailures.times > 0) {
      requestFailures.times--;
      return json(res, requestFailures.status, {
        error: { type: 'unavailable', reason: 'injected' },
        status: requestFailures.status,
      });
    }
    if (!body.endsWith('\n')) {
      return json(res, 400, {
        error: {
          type: 'illegal_argument_exception',
          reason: 'The bulk request must be terminated by a newline [\\n]',
        },
        status: 400,
      });
    }
    const lines = body.split('\n').filter((l) => l.length > 0);
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { create?: { _index: string; _id: string } };
      const source = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
      const meta = action.create!;
      const key = `${meta._index}/${meta._id}`;
      const failure = itemFailures.get(meta._id);
      let item: Record<string, unknown>;
      if (failure && failure.times > 0) {
        failure.times--;
        item = {
          _index: meta._index,
          _id: meta._id,
          status: failure.status,
          error: {
            type: 'es_rejected_execution_exception',
            reason: 'rejected execution of coordinating operation',
          },
        };
      } else if (reject(source)) {
        item = {
          _index: meta._index,
          _id: meta._id,
          status: 400,
          error: {
            type: 'document_parsing_exception',
            reason: '[1:42] failed to parse field [auditkit.details.amount] of type [long]',
          },
        };
      } else if (docs.has(key)) {
        item = {
          _index: meta._index,
          _id: meta._id,
          status: 409,
          error: {
            type: 'version_conflict_engine_exception',
            reason: `[${meta._id}]: version conflict, document already exists`,
          },
        };
      } else {
        docs.set(key, source);
        item = { _index: meta._index, _id: meta._id, _version: 1, result: 'created', status: 201 };
      }
      if ((item.status as number) >= 300) errors = true;
      items.push({ create: item });
    }
    json(res, 200, { took: 3, errors, items });
  });
  return {
    url,
    docs,
    requests,
    close: closer(server),
    failItem: (id, times, status = 429) => itemFailures.set(id, { times, status }),
    rejectWhen: (predicate) => {
      reject = predicate;
    },
    failRequests: (times, status) => {
      requestFailures = { times, status };
    },
  };
}

export interface SplunkReceiver extends Receiver {
  /** Indexed HEC events (the whole JSON object: time, host, source, sourcetype, index, event). */
  events: Array<Record<string, unknown>>;
  /** The next `times` requests are answered 503 "Server is busy" (code 9). */
  busy(times: number): void;
}

/** Splits concatenated JSON objects the way HEC reads a batch body. */
function splitObjects(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(body.slice(start, i + 1));
  }
  return out;
}

/** `POST /services/collector/event` with HEC's documented replies and status codes. */
export async function splunkReceiver(token: string): Promise<SplunkReceiver> {
  const events: Array<Record<string, unknown>> = [];
  const requests: Receiver['requests'] = [];
  let busy = 0;
  const { server, url } = await listen((req, body, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (req.url !== '/services/collector/event')
      return json(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
    const auth = req.headers.authorization;
    if (!auth) return json(res, 401, { text: 'Token is required', code: 2 });
    if (auth !== `Splunk ${token}`) return json(res, 403, { text: 'Invalid token', code: 4 });
    if (busy > 0) {
      busy--;
      return json(res, 503, { text: 'Server is busy', code: 9 });
    }
    const objects = splitObjects(body);
    if (objects.length === 0) return json(res, 400, { text: 'No data', code: 5 });
    for (let i = 0; i < objects.length; i++) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(objects[i]!) as Record<string, unknown>;
      } catch {
        return json(res, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': i });
      }
      if (parsed.event === undefined || parsed.event === null) {
        return json(res, 400, { text: 'Event field is required', code: 12, 'invalid-event-number': i });
      }
      if (
        parsed.event === '' ||
        (typeof parsed.event === 'object' && Object.keys(parsed.event as object).length === 0)
      ) {
        return json(res, 400, { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': i });
      }
      events.push(parsed);
    }
    json(res, 200, { text: 'Success', code: 0 });
  });
  return {
    url,
    events,
    requests,
    close: closer(server),
    busy: (n) => {
      busy = n;
    },
  };
}

export interface WebhookReceiver extends Receiver {
  /** Answer the next `times` requests with `status`. */
  fail(times: number, status: number): void;
}

export async function webhookReceiver(): Promise<WebhookReceiver> {
  const requests: Receiver['requests'] = [];
  let failures = { times: 0, status: 500 };
  const { server, url } = await listen((req, body, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (failures.times > 0) {
      failures.times--;
      return json(res, failures.status, { error: 'injected' });
    }
    json(res, 202, { accepted: true });
  });
  return {
    url: `${url}/audit`,
    requests,
    close: closer(server),
    fail: (times, status) => {
      failures = { times, status };
    },
  };
}
