import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { allowlist } from '../common/ip-allowlist';

/** Every address a host name resolves to. A port, so the tests can play a rebinding DNS. */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Refused before a connection is made: the address is not one the exchange may call. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
}

/**
 * Which URLs a seller's cluster may have the exchange call. When enforced (production), a webhook URL must be
 * `https` and its host must resolve only to public unicast addresses: not loopback, private, link-local (which
 * holds the cloud metadata address), CGNAT, multicast, reserved or NAT64/6to4 ranges that embed an IPv4
 * address. The operator's allowed hosts (names, `*.suffix` or CIDR ranges) pass whatever they resolve to. The
 * check runs at registration and again at connect time on every address the name resolves to then, so a name
 * that changes its answer (DNS rebinding) is refused where it matters. Not enforced, any http(s) URL passes.
 */
export class WebhookUrlPolicy {
  private readonly allowedNames: string[];
  private readonly allowedSuffixes: string[];
  private readonly allowedAddress: (address: string) => boolean;

  constructor(
    readonly enforced: boolean,
    allowedHosts: readonly string[],
    private readonly resolve: Resolver = systemResolver,
  ) {
    const ranges = allowedHosts.filter((h) => isIP(h.split('/')[0]) !== 0);
    const names = allowedHosts.filter((h) => !ranges.includes(h)).map((h) => h.toLowerCase());
    this.allowedNames = names.filter((n) => !n.startsWith('*.'));
    this.allowedSuffixes = names.filter((n) => n.startsWith('*.')).map((n) => n.slice(1));
    this.allowedAddress = allowlist(ranges);
  }

  /** Why the exchange will not call this URL, or null. Resolves its host (when enforced) to check it. */
  async refusal(raw: string): Promise<string | null> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'is not a URL';
    }
    if (!this.enforced) return null;
    if (url.protocol !== 'https:') return 'must be an https URL';
    const host = hostOf(url);
    if (this.hostAllowed(host)) return null;
    if (isIP(host) !== 0) return this.addressRefusal(host);
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      return `host "${host}" does not resolve`;
    }
    if (addresses.length === 0) return `host "${host}" does not resolve`;
    for (const { address } of addresses) {
      const refusal = this.addressRefusal(address);
      if (refusal) return `host "${host}" resolves to ${address}, which ${refusal}`;
    }
    return null;
  }

  /** Checked just before a request: an IP literal never reaches `lookup`, so it is checked here. */
  checkBeforeConnect(url: URL): void {
    if (!this.enforced) return;
    const host = hostOf(url);
    if (url.protocol !== 'https:') throw new BlockedAddressError('the URL is not https');
    if (isIP(host) === 0 || this.hostAllowed(host)) return;
    const refusal = this.addressRefusal(host);
    if (refusal) throw new BlockedAddressError(`${host} ${refusal}`);
  }

  /** For `http.request({ lookup })`: resolves as Node would, then refuses unless every address may be called. */
  readonly lookup: LookupFunction = (host, options, callback) => {
    this.resolve(host).then(
      (addresses) => {
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (this.enforced && !this.hostAllowed(host.toLowerCase())) {
          for (const { address } of addresses) {
            const refusal = this.addressRefusal(address);
            if (refusal) {
              callback(new BlockedAddressError(`${host} resolves to ${address}, which ${refusal}`), '');
              return;
            }
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  private hostAllowed(host: string): boolean {
    return (
      this.allowedNames.includes(host) ||
      this.allowedSuffixes.some((suffix) => host.endsWith(suffix)) ||
      (isIP(host) !== 0 && this.allowedAddress(host))
    );
  }

  /** Why this address may not be called (`is loopback`), or null when it is public unicast or allowed. */
  private addressRefusal(address: string): string | null {
    if (this.allowedAddress(address)) return null;
    const range = ipaddr.process(address).range();
    return range === 'unicast' ? null : `is a ${range} address`;
  }
}

/** The URL's host as a name or a bare IP address (`[::1]` comes without its brackets), lower case. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
