export {
  DEAD_LETTER_REASON_HEADER,
  DEAD_LETTER_SOURCE_HEADER,
  type KafkaBridgeError,
  type KafkaBridgeErrorKind,
  type KafkaToStore,
  type KafkaToStoreOptions,
  type KafkaToStoreStats,
  kafkaToStore,
} from './bridge';
export { type ClientOptions, type CompressionName, HEADER_ID, HEADER_TYPE } from './client';
export { isRetryableKafkaError, KafkaDeliveryError } from './errors';
export { chainKey, type KafkaSinkOptions, kafkaSink } from './sink';
