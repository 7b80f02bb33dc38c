import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { allowlist } from './ip-allowlist';

/** Whether an address is one of the trusted proxies (TRUST_PROXY: addresses and CIDR ranges). */
export function trustedProxy(proxies: readonly string[]): (address: string) => boolean {
  const trusted = allowlist(proxies);
  return (address) => trusted(address);
}

/**
 * The client's address for a request: the TCP peer, or, when the peer is a trusted proxy, the address it names in
 * X-Forwarded-For (walked from the right, past every trusted proxy), as Express's `req.ip` does. A client cannot
 * name itself: an untrusted peer's X-Forwarded-For is ignored.
 */
export function clientAddressOf(proxies: readonly string[]): (request: IncomingMessage) => string {
  const trust = trustedProxy(proxies);
  return (request) => proxyAddr(request, trust);
}
