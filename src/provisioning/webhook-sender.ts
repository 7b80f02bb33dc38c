import { Webhook } from 'standardwebhooks';

/** Where a cluster takes its webhooks, and the secret they are signed with (never logged). */
export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookResponse {
  status: number;
  /** The parsed JSON answer, or null when there was none (or it was not JSON). */
  body: unknown;
}

/** Sends one signed webhook. A port, so the dispatcher's tests need no network. */
export abstract class WebhookSender {
  /** Resolves with the cluster's answer, whatever its status; rejects when there was none (refused, timed out). */
  abstract send(target: WebhookTarget, id: string, payload: string): Promise<WebhookResponse>;
}

/** Largest answer read from a cluster: access details are small; anything bigger is not an answer. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Standard Webhooks over HTTP: `webhook-id`, `webhook-timestamp` (unix seconds, this attempt's) and
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`, signed with the cluster's secret.
 */
export class HttpWebhookSender extends WebhookSender {
  constructor(private readonly timeoutMs: number) {
    super();
  }

  async send(target: WebhookTarget, id: string, payload: string): Promise<WebhookResponse> {
    const timestamp = new Date();
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'gpu-hour-exchange',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': new Webhook(target.secret).sign(id, timestamp, payload),
      },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: text.length > MAX_ANSWER_BYTES ? null : parseJson(text) };
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
