import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one request: its id, this attempt's timestamp (unix seconds) and
 * `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` with the secret (`whsec_<base64 key>`).
 */
export function signedHeaders(
  secret: string,
  id: string,
  payload: string,
  at = new Date(),
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}

/** The three headers `Webhook.verify` checks, from an incoming request's headers (missing ones empty). */
export function webhookHeaders(headers: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
    result[name] = typeof headers[name] === 'string' ? (headers[name] as string) : '';
  return result;
}
