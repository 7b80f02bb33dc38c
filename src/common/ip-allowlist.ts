import { BlockList, isIP } from 'node:net';

/** How many entries one API key's allowlist may hold. */
export const MAX_ALLOWED_IPS = 32;

/** Why this allowlist entry (an IPv4 or IPv6 address, or a CIDR range such as `10.0.0.0/8`) is invalid, or null. */
export function invalidAllowlistEntry(entry: string): string | null {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or a CIDR range`;
  if (prefix === undefined) return null;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
    return `"${entry}" has a prefix length outside 0-${bits}`;
  }
  return null;
}

/** A matcher for addresses as sockets report them (IPv4 clients of a dual-stack server come as `::ffff:a.b.c.d`). */
export function allowlist(entries: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** A host name entry of WEBHOOK_ALLOWED_HOSTS: `cluster.example.com`, or `*.example.com` for its subdomains. */
const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

/** Why this WEBHOOK_ALLOWED_HOSTS entry is invalid, or null. */
export function invalidAllowedHost(entry: string): string | null {
  if (isIP(entry.split('/')[0]) !== 0) return invalidAllowlistEntry(entry);
  return HOST_PATTERN.test(entry)
    ? null
    : `"${entry}" is not a host name, *.domain, IP address or CIDR range`;
}
