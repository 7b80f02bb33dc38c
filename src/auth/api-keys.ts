import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['trade', 'sell', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** A new API key: 256 random bits, base64url, with a recognisable prefix. */
export function newApiKey(): string {
  return `gpx_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Compares two keys in constant time (through their hashes, so lengths never leak). */
export function sameKey(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashApiKey(a), 'hex'), Buffer.from(hashApiKey(b), 'hex'));
}
