import { type AuditEvent, type AuditSink, type Batch, batchBytes } from '@auditkit/core/store';
import {
  type ClientOptions,
  type CompressionName,
  HEADER_ID,
  HEADER_TYPE,
  kafka,
  type Outgoing,
  type Producer,
} from './client';
import {
  describeKafkaError,
  isProducerStateError,
  isRetryableKafkaError,
  KafkaDeliveryError,
} from './errors';

export interface KafkaSinkOptions {
  /** Bootstrap brokers, `host:port`. Required. */
  brokers: string[];
  /** Topic the events are produced to. Required; create it beforehand with the partitions you want. */
  topic: string;
  /** Client id the brokers see. Default `auditkit`. */
  clientId?: string;
  /** Compression of record batches (no native code needed for any). Default `lz4`. */
  compression?: CompressionName;
  /**
   * The record key, which picks the partition. Default: the event's chain (`integrity.chain`, else
   * `source.service:source.instance`), so every event of one chain stays in order in one partition.
   */
  key?: (event: AuditEvent) => string;
  /** Uncompressed bytes per produce request; a bigger batch is sent in order in several. Default 900000 (the broker's default limit is 1 MiB). */
  maxRequestBytes?: number;
  /** How long one produce request may take (ms). Default 5000. */
  requestTimeoutMs?: number;
  /** Further client options (`tls`, `sasl`, `connectTimeout`, `retries`, `retryDelay`, ...), merged over these defaults. */
  client?: ClientOptions;
  /** Sink name in stats and health. Default `kafka`. */
  name?: string;
}

/** The default key: one chain, one partition, one order. */
export function chainKey(event: AuditEvent): string {
  return event.integrity?.chain ?? `${event.source?.service ?? ''}:${event.source?.instance ?? ''}`;
}

// The client takes header names as bytes; encoded once.
const ID_HEADER = Buffer.from(HEADER_ID);
const TYPE_HEADER = Buffer.from(HEADER_TYPE);

// Record overhead besides key, value and header bytes (lengths, offsets, timestamps), generously.
const RECORD_OVERHEAD = 64;
const HEADER_NAMES_BYTES = ID_HEADER.length + TYPE_HEADER.length;
/** Keys and types seen recently, with their bytes; a handful in practice, cleared past this many. */
const CACHE_LIMIT = 1024;

/** `map`'s value for `key`, made once; the map is emptied when it reaches CACHE_LIMIT entries. */
function cached<V>(map: Map<string, V>, key: string, make: (key: string) => V): V {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= CACHE_LIMIT) map.clear();
    value = make(key);
    map.set(key, value);
  }
  return value;
}

/** A key's bytes and its partition before the modulo (the Java client's positive murmur2). */
interface KeyBytes {
  bytes: Buffer;
  partition: number;
}

function keyBytesOf(key: string): KeyBytes {
  const bytes = Buffer.from(key);
  return { bytes, partition: kafka.compatibilityPartitioner(undefined as never, bytes) };
}

const utf8 = (text: string): Buffer => Buffer.from(text);

/**
 * Turns batches into produce requests. A chain's key and an event type repeat on nearly every
 * record, so their bytes and the key's hash are computed once and reused, not once per record.
 */
class Encoder {
  readonly #keys = new Map<string, KeyBytes>();
  readonly #types = new Map<string, Buffer>();

  constructor(
    private readonly topic: string,
    private readonly key: (event: AuditEvent) => string,
    private readonly maxBytes: number,
  ) {}

  /**
   * The batch as records, in order, split into requests of at most `maxBytes` (a bigger single
   * record goes alone); each value is exactly the event's stored JSON line (the bytes the hash covers).
   */
  requests(batch: Batch): Outgoing[][] {
    const events = batch.events;
    // The batch's shared UTF-8 bytes and one encoding of all ids; records hold slices, not copies.
    const text = batchBytes(batch);
    let idText = '';
    for (let i = 0; i < events.length; i++) idText += events[i]!.id;
    const ids = Buffer.from(idText);
    const idsAscii = ids.length === idText.length;
    const requests: Outgoing[][] = [];
    let current: Outgoing[] = [];
    let bytes = 0;
    let lastKey: string | undefined;
    let keyBytes: KeyBytes | undefined;
    let start = 0;
    let idStart = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const newline = text.indexOf(10, start);
      const end = newline === -1 ? text.length : newline;
      const k = this.key(event);
      if (k !== lastKey || keyBytes === undefined) {
        lastKey = k;
        keyBytes = cached(this.#keys, k, keyBytesOf);
      }
      const id = idsAscii ? ids.subarray(idStart, idStart + event.id.length) : Buffer.from(event.id);
      idStart += event.id.length;
      const type = cached(this.#types, event.type, utf8);
      const value = text.subarray(start, end);
      start = end + 1;
      const size =
        value.length + keyBytes.bytes.length + id.length + type.length + HEADER_NAMES_BYTES + RECORD_OVERHEAD;
      if (current.length > 0 && bytes + size > this.maxBytes) {
        requests.push(current);
        current = [];
        bytes = 0;
      }
      current.push({
        topic: this.topic,
        // Set here, the client leaves the hash alone and only takes it modulo the partition count.
        partition: keyBytes.partition,
        key: keyBytes.bytes,
        value,
        headers: new Map([
          [ID_HEADER, id],
          [TYPE_HEADER, type],
        ]),
      });
      bytes += size;
    }
    if (current.length > 0) requests.push(current);
    return requests;
  }
}

/**
 * A sink producing every event as one Kafka record: idempotent producer, `acks: all`, compressed,
 * keyed by chain. A retry of a failed batch resends only the requests that did not succeed, with
 * the same sequence numbers, so the broker drops what had landed; any other batch after a failure
 * starts a new producer, so no sequence number is ever reused for different records.
 */
export function kafkaSink(options: KafkaSinkOptions): AuditSink {
  if (!Array.isArray(options?.brokers) || options.brokers.length === 0)
    throw new TypeError('kafkaSink: `brokers` (host:port strings) is required');
  if (typeof options.topic !== 'string' || options.topic === '')
    throw new TypeError('kafkaSink: `topic` is required');
  const topic = options.topic;
  const name = options.name ?? 'kafka';
  const key = options.key ?? chainKey;
  const maxRequestBytes = options.maxRequestBytes ?? 900_000;
  const compression = options.compression ?? 'lz4';
  const encoder = new Encoder(topic, key, maxRequestBytes);
  const producerOptions = {
    clientId: options.clientId ?? 'auditkit',
    bootstrapBrokers: options.brokers,
    timeout: options.requestTimeoutMs ?? 5000,
    connectTimeout: 5000,
    // The pipeline retries with backoff; the client only rides out a moved leader or a stale metadata.
    retries: 1,
    retryDelay: 250,
    ...options.client,
    idempotent: true,
    acks: kafka.ProduceAcks.ALL,
    // Java-compatible key hashing: a chain lands where a Java producer would put it.
    partitioner: kafka.compatibilityPartitioner,
    ...(compression === 'none' ? {} : { compression }),
  };

  let producer: Producer | undefined;
  /** The batch whose write failed, and how many of its requests had succeeded. */
  let failed: { batch: Batch; sent: number } | undefined;
  let tail: Promise<void> = Promise.resolve();
  let closed = false;

  const dropProducer = async (): Promise<void> => {
    const old = producer;
    producer = undefined;
    await old?.close().catch(() => undefined);
  };

  const send = async (batch: Batch): Promise<void> => {
    if (closed) throw new KafkaDeliveryError(`${name}: sink is closed`, { retryable: false });
    let first = 0;
    const previous = failed;
    if (previous?.batch === batch) first = previous.sent;
    else if (previous) await dropProducer(); // the failed records may have landed under sequence numbers the next would reuse
    failed = undefined;
    const requests = encoder.requests(batch);
    producer ??= new kafka.Producer(producerOptions) as unknown as Producer;
    for (let i = first; i < requests.length; i++) {
      try {
        await producer.send({ messages: requests[i]! });
      } catch (error) {
        failed = { batch, sent: i };
        if (isProducerStateError(error)) await dropProducer();
        throw new KafkaDeliveryError(
          `${name}: producing ${requests[i]!.length} events to ${topic} failed: ${describeKafkaError(error)}`,
          { retryable: isRetryableKafkaError(error), cause: error },
        );
      }
    }
  };

  return {
    name,
    write(batch: Batch): Promise<void> {
      // One request at a time, even when the pipeline timed a write out and retries it meanwhile.
      const run = tail.then(() => send(batch));
      tail = run.catch(() => undefined);
      return run;
    },
    flush(): Promise<void> {
      return tail;
    },
    async close(): Promise<void> {
      await tail;
      closed = true;
      await dropProducer();
    },
  };
}
