import type { AlarmNotice, Notifier } from './notifier.js';

export interface WebhookNotifierOptions {
  url: string;
  /** Shown in the alarm's delivery list; default `webhook`. */
  channel?: string;
  /** Extra headers, e.g. an `authorization` the receiver expects. */
  headers?: Record<string, string>;
  /** One attempt gives up after this long (default 5 s). */
  timeoutMs?: number;
}

/**
 * POSTs `{ event, alarm }` as JSON to a URL (a chat bridge, an operations tool). Any answer other than 2xx,
 * a refused connection or a timeout is a failed attempt; the service retries with backoff.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`webhook URL must be http(s), got ${url.protocol}`);
  }
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    channel: options.channel ?? 'webhook',
    async send(notice: AlarmNotice) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify({ schema: 'qtled.alarm-notice/1', event: notice.event, alarm: notice.alarm }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read the body so the connection is released; keep a little of it for the error.
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        throw new Error(
          `HTTP ${response.status} ${response.statusText} from ${url.host}: ${text.slice(0, 200)}`,
        );
      }
    },
  };
}
