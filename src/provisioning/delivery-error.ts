import { BlockedAddressError } from '../clusters/webhook-url-policy';

/** Codes that mean the TLS handshake or the cluster's certificate failed. */
const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
]);

/** Network error codes, by the class a seller sees. */
const CLASSES: Record<string, string> = {
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_FAIL: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  EHOSTDOWN: 'host unreachable',
};

/**
 * What a failed webhook request comes to, as the seller's delivery view shows it: a class (timeout, connection
 * refused, TLS error, ...), never the raw network message, which would name addresses and ports and make the
 * delivery view a port scanner. The raw message goes to the exchange's log only.
 */
export function deliveryErrorClass(error: unknown): string {
  if (error instanceof BlockedAddressError) return 'address not allowed';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'network error';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) return 'TLS error';
  return CLASSES[code] ?? 'network error';
}
