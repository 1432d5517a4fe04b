export { type ElasticsearchSinkOptions, elasticsearchSink } from './elasticsearch';
export {
  compileFormat,
  ECS_VERSION,
  type EventFormat,
  type Formatter,
  OCSF_VERSION,
  type OcsfOptions,
  toEcs,
  toOcsf,
} from './formats';
export { isRetryableStatus, SiemDeliveryError } from './http';
export { formatRfc5424, LOG_AUDIT, structuredData } from './rfc5424';
export { type SplunkHecSinkOptions, splunkHecSink } from './splunk';
export { type SyslogSinkOptions, type SyslogTransport, syslogSink } from './syslog';
export {
  SIGNATURE_HEADER,
  signPayload,
  TIMESTAMP_HEADER,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
  type WebhookSinkOptions,
  webhookSink,
} from './webhook';
