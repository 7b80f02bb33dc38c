import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { BlockedAddressError, Resolver, WebhookUrlPolicy } from './webhook-url-policy';

/** A DNS that answers from a table, and can change its answer between two questions (rebinding). */
function fakeDns(answers: Record<string, string[]>): Resolver & { table: Record<string, string[]> } {
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    const found = resolve.table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  resolve.table = answers;
  return resolve;
}

describe('WebhookUrlPolicy', () => {
  const dns = fakeDns({
    'cluster.example.com': ['1.1.1.1'],
    'public.example.net': ['8.8.8.8', '2001:4860:4860::8888'],
    'internal.example.net': ['8.8.8.8', '10.0.0.7'],
    'localhost.example.net': ['127.0.0.1'],
    'rack1.onprem.example.org': ['10.20.0.5'],
  });
  const enforced = new WebhookUrlPolicy(true, [], dns);

  it.each([
    ['http://8.8.8.8/hook', 'must be an https URL'],
    ['https://127.0.0.1/hook', 'is a loopback address'],
    ['https://127.1/hook', 'is a loopback address'],
    ['https://2130706433/hook', 'is a loopback address'],
    ['https://[::1]/hook', 'is a loopback address'],
    ['https://[::ffff:127.0.0.1]/hook', 'is a loopback address'],
    ['https://0.0.0.0/hook', 'is a unspecified address'],
    ['https://10.1.2.3/hook', 'is a private address'],
    ['https://172.16.0.1/hook', 'is a private address'],
    ['https://192.168.1.1/hook', 'is a private address'],
    ['https://169.254.169.254/latest/meta-data', 'is a linkLocal address'],
    ['https://[fd00:ec2::254]/', 'is a uniqueLocal address'],
    ['https://100.100.100.200/', 'is a carrierGradeNat address'],
    ['https://224.0.0.1/', 'is a multicast address'],
    ['https://[64:ff9b::7f00:1]/', 'is a rfc6052 address'],
    ['https://localhost.example.net/hook', 'resolves to 127.0.0.1, which is a loopback address'],
    ['https://internal.example.net/hook', 'resolves to 10.0.0.7, which is a private address'],
    ['https://nowhere.example.net/hook', 'does not resolve'],
  ])('refuses %s in production', async (url, reason) => {
    expect(await enforced.refusal(url)).toContain(reason);
  });

  it.each(['https://8.8.8.8/hook', 'https://cluster.example.com:8443/hook', 'https://public.example.net/'])(
    'admits %s, which is public',
    async (url) => {
      expect(await enforced.refusal(url)).toBeNull();
    },
  );

  it("admits the operator's allowed hosts: names, *.suffixes and CIDR ranges", async () => {
    const policy = new WebhookUrlPolicy(
      true,
      ['localhost.example.net', '*.onprem.example.org', '10.0.0.0/8'],
      dns,
    );
    expect(await policy.refusal('https://localhost.example.net/hook')).toBeNull();
    expect(await policy.refusal('https://rack1.onprem.example.org/hook')).toBeNull();
    expect(await policy.refusal('https://10.9.9.9/hook')).toBeNull();
    expect(await policy.refusal('https://internal.example.net/hook')).toBeNull(); // 8.8.8.8 and 10.0.0.7
    expect(await policy.refusal('https://onprem.example.org.evil.test/hook')).toContain('does not resolve');
    expect(await policy.refusal('https://192.168.0.1/hook')).toContain('private');
    expect(await policy.refusal('http://10.9.9.9/hook')).toBe('must be an https URL');
  });

  it('outside production admits loopback and private http targets', async () => {
    const open = new WebhookUrlPolicy(false, [], dns);
    expect(await open.refusal('http://127.0.0.1:9000/hook')).toBeNull();
    expect(await open.refusal('http://10.0.0.1/hook')).toBeNull();
    expect(() => open.checkBeforeConnect(new URL('http://127.0.0.1/'))).not.toThrow();
  });

  it('checks IP literals before connecting, since Node does not look them up', () => {
    expect(() => enforced.checkBeforeConnect(new URL('https://[::1]:8443/'))).toThrow(BlockedAddressError);
    expect(() => enforced.checkBeforeConnect(new URL('https://169.254.169.254/'))).toThrow(
      BlockedAddressError,
    );
    expect(() => enforced.checkBeforeConnect(new URL('http://8.8.8.8/'))).toThrow(BlockedAddressError);
    expect(() => enforced.checkBeforeConnect(new URL('https://8.8.8.8/'))).not.toThrow();
  });

  it('refuses at connect time a name that resolved to a public address at registration (DNS rebinding)', async () => {
    const rebinding = fakeDns({ 'rebind.example.net': ['8.8.8.8'] });
    const policy = new WebhookUrlPolicy(true, [], rebinding);
    expect(await policy.refusal('https://rebind.example.net/hook')).toBeNull();
    rebinding.table['rebind.example.net'] = ['8.8.4.4', '127.0.0.1'];
    const looked = await new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      policy.lookup('rebind.example.net', { all: true }, (error, address) => resolve({ error, address })),
    );
    expect(looked.error).toBeInstanceOf(BlockedAddressError);
    expect(looked.error?.message).toContain('127.0.0.1');
  });

  it('a real request through the lookup never reaches a loopback server behind a rebinding name', async () => {
    let reached = 0;
    const server = http.createServer((_req, res) => {
      reached++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const policy = new WebhookUrlPolicy(true, [], fakeDns({ 'rebind.example.net': ['127.0.0.1'] }));
    const permissive = new WebhookUrlPolicy(false, [], fakeDns({ 'rebind.example.net': ['127.0.0.1'] }));
    const post = (lookup: WebhookUrlPolicy['lookup']) =>
      new Promise<string>((resolve) => {
        const request = http.request(`http://rebind.example.net:${port}/`, { method: 'POST', lookup });
        request.on('response', (res) => resolve(`HTTP ${res.statusCode}`));
        request.on('error', (error) =>
          resolve(error instanceof BlockedAddressError ? 'blocked' : error.message),
        );
        request.end();
      });
    try {
      expect(await post(policy.lookup)).toBe('blocked');
      expect(reached).toBe(0);
      expect(await post(permissive.lookup)).toBe('HTTP 200'); // the same request, unchecked, does get there
      expect(reached).toBe(1);
    } finally {
      server.close();
    }
  });
});
