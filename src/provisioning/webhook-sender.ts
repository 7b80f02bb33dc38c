import http from 'node:http';
import https from 'node:https';
import type { WebhookUrlPolicy } from '../clusters/webhook-url-policy';
import { signedHeaders } from './webhook-signature';

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
 * Standard Webhooks over HTTP(S): `webhook-id`, `webhook-timestamp` (unix seconds, this attempt's) and
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`, signed with the cluster's secret. Uses
 * `node:http` with keep-alive connections rather than `fetch`, which cost about twice the CPU per request here.
 */
export class HttpWebhookSender extends WebhookSender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
  };

  constructor(
    private readonly timeoutMs: number,
    private readonly policy: WebhookUrlPolicy,
  ) {
    super();
  }

  send(target: WebhookTarget, id: string, payload: string): Promise<WebhookResponse> {
    const url = new URL(target.url);
    const body = Buffer.from(payload);
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    return new Promise((resolve, reject) => {
      this.policy.checkBeforeConnect(url);
      const request = (protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent: this.agents[protocol],
        lookup: this.policy.lookup,
        timeout: this.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'gpu-hour-exchange',
          ...signedHeaders(target.secret, id, payload),
        },
      });
      // The whole exchange, not just an idle socket, must fit in the timeout.
      const timeout = () =>
        request.destroy(Object.assign(new Error(`no answer in ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      const deadline = setTimeout(timeout, this.timeoutMs);
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        outcome();
      };
      request.on('timeout', timeout);
      request.on('error', (error) => settle(() => reject(error)));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('end', () => {
          const text = size > MAX_ANSWER_BYTES ? '' : Buffer.concat(chunks).toString('utf8');
          settle(() => resolve({ status: response.statusCode ?? 0, body: parseJson(text) }));
        });
        response.on('error', (error) => settle(() => reject(error)));
        response.on('close', () =>
          settle(() =>
            reject(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' })),
          ),
        );
      });
      request.end(body);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
