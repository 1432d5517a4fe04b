/**
 * The Kafka client, @platformatic/kafka. It ships as ES modules only; this package is CommonJS like
 * the rest of auditkit, and Node >= 20.19 loads an ES module (without top-level await) with require().
 */
type KafkaModule = typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' }});

export const kafka: KafkaModule = require('@platformatic/kafka');

export type Producer = InstanceType<KafkaModule['Producer']>;
export type Consumer = InstanceType<KafkaModule['Consumer']>;
export type Message = import('@platformatic/kafka', { with: { 'resolution-mode': 'import' }}).Message<
  Buffer,
  Buffer,
  Buffer,
  Buffer
>;
export type Outgoing = import('@platformatic/kafka', { with: {
  'resolution-mode': 'import',
}}).MessageToProduce<Buffer, Buffer, Buffer, Buffer>;
/** Connection settings passed through to the client: `tls`, `sasl`, `connectTimeout`, `retries`, ... */
export type ClientOptions = Partial<
  import('@platformatic/kafka', { with: { 'resolution-mode': 'import' }}).BaseOptions
>;
export type CompressionName = 'lz4' | 'snappy' | 'gzip' | 'zstd' | 'none';

/** Header names carried by every record the sink produces. */
export const HEADER_ID = 'auditkit-id';
export const HEADER_TYPE = 'auditkit-type';
