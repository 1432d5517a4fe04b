import { alertLine, notificationTitle } from '../format';
import type { AlertChannel } from '../types';
import { postJson, requireHttpUrl } from './http';

export interface SlackChannelOptions {
  /** The incoming-webhook URL Slack gave you (it is a secret). Required. */
  webhookUrl: string;
  /** Channel name in routes and stats. Default `slack`. */
  name?: string;
  /** Longest wait for one request (ms). Default 10000. */
  timeoutMs?: number;
}

const EMOJI: Record<string, string> = {
  critical: ':rotating_light:',
  error: ':red_circle:',
  warning: ':warning:',
};

/** Slack incoming-webhook payload: `text` for notifications, one mrkdwn section per alert. */
export function slackChannel(options: SlackChannelOptions): AlertChannel {
  const url = requireHttpUrl(options?.webhookUrl, 'slackChannel: webhookUrl');
  const name = options.name ?? 'slack';
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name,
    async send(n, sendOptions) {
      const payload = {
        text: notificationTitle(n),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: notificationTitle(n).slice(0, 150) } },
          ...n.alerts.map((a) => ({
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `${EMOJI[a.severity] ?? ':information_source:'} ${alertLine(a)}\nalert \`${a.id}\` · event \`${a.eventId}\` · ${a.openedAt}`,
            },
          })),
        ],
      };
      await postJson(name, url, JSON.stringify(payload), {}, timeoutMs, sendOptions?.signal);
    },
  };
}
