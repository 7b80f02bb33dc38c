import { allowlist, invalidAllowlistEntry } from './ip-allowlist';

describe('address allowlists', () => {
  it('accepts addresses and CIDR ranges of both families', () => {
    for (const entry of ['203.0.113.7', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::1', '2001:db8::/32', '::/0']) {
      expect(invalidAllowlistEntry(entry)).toBeNull();
    }
  });

  it('refuses anything else, with the entry named', () => {
    for (const entry of [
      '',
      'localhost',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.1/8/1',
      '10.0.0.0/-1',
      '10.0.0.0/',
    ]) {
      expect(invalidAllowlistEntry(entry)).toContain(`"${entry}"`);
    }
  });

  it('matches addresses inside the list, including IPv4 clients seen through a dual-stack socket', () => {
    const allows = allowlist(['10.0.0.0/8', '203.0.113.7', '2001:db8::/32']);
    expect(allows('10.1.2.3')).toBe(true);
    expect(allows('::ffff:10.1.2.3')).toBe(true);
    expect(allows('203.0.113.7')).toBe(true);
    expect(allows('2001:db8:1::5')).toBe(true);
    expect(allows('203.0.113.8')).toBe(false);
    expect(allows('11.0.0.1')).toBe(false);
    expect(allows('2001:db9::1')).toBe(false);
    expect(allows(undefined)).toBe(false);
    expect(allows('not an address')).toBe(false);
  });
});
