import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signedHeaders } from '../provisioning/webhook-signature';

const MAX_BODY = 1024 * 1024;
const ATTEMPTS = 6;

/** The HTTP pieces every cluster agent shares: JSON answers, bounded bodies, and signed calls to the exchange. */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The request's body as text, or null when it is larger than 1 MiB. */
export function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * POSTs `body` to the exchange, signed with the cluster's secret like the exchange's webhooks (Standard
 * Webhooks), retried with backoff and the same `webhook-id`. Returns the last answer's status (null: the exchange
 * never answered) and its JSON body: 2xx taken, 4xx refused for good (not retried), 5xx retried.
 */
export async function sendSigned(
  url: string,
  secret: string,
  body: unknown,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<{ status: number | null; body: unknown }> {
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  const payload = JSON.stringify(body);
  let status: number | null = null;
  let answer: unknown = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(secret, id, payload) },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      const text = await response.text();
      try {
        answer = text ? JSON.parse(text) : null;
      } catch {
        answer = text;
      }
      if (status < 500) return { status, body: answer };
    } catch {
      // the exchange is unreachable: try again
    }
    await sleep(500 * 2 ** attempt);
  }
  return { status, body: answer };
}
