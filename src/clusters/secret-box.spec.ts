import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const [a, b] = [randomBytes(32), randomBytes(32)];
  const secret = `whsec_${randomBytes(32).toString('base64')}`;

  it('seals so that the stored value does not show the secret, and opens it again', () => {
    const box = new SecretBox([a]);
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal(secret)).not.toBe(sealed);
    expect(box.open(sealed)).toBe(secret);
    expect(box.stale(sealed)).toBe(false);
  });

  it('rotates: a box with a new key first opens what the old key sealed, and says it is stale', () => {
    const sealedWithA = new SecretBox([a]).seal(secret);
    const rotated = new SecretBox([b, a]);
    expect(rotated.open(sealedWithA)).toBe(secret);
    expect(rotated.stale(sealedWithA)).toBe(true);
    expect(rotated.stale(rotated.seal(secret))).toBe(false);
    expect(() => new SecretBox([b]).open(sealedWithA)).toThrow(/not listed/);
  });

  it('refuses a value that was altered, and plain text', () => {
    const box = new SecretBox([a]);
    const sealed = box.seal(secret);
    const parts = sealed.split(':');
    const altered = [...parts.slice(0, 4), Buffer.from('x'.repeat(20)).toString('base64')].join(':');
    expect(() => box.open(altered)).toThrow();
    expect(() => box.open(secret)).toThrow(/not a sealed secret/);
    expect(box.stale(secret)).toBe(true);
  });
});
