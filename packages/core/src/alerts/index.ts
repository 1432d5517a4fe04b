export { type ConsoleChannelOptions, consoleChannel } from './channels/console';
export {
  type EmailChannelOptions,
  emailChannel,
  type MailMessage,
  type MailTransport,
} from './channels/email';
export { ChannelError } from './channels/http';
export { type SlackChannelOptions, slackChannel } from './channels/slack';
export { type WebhookChannelOptions, webhookChannel } from './channels/webhook';
export { alertLine, notificationText, notificationTitle } from './format';
export {
  SIGNATURE_HEADER,
  signPayload,
  TIMESTAMP_HEADER,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
} from './signature';
export type * from './types';
