import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** How a secret is stored: `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64 parts), AES-256-GCM. */
const PREFIX = 'v1:';

/**
 * Seals and opens the clusters' webhook secrets with AES-256-GCM. The first key seals; every key opens (so a key
 * can be rotated in: list the new one first, the old one after, restart, and everything sealed with the old one
 * is sealed again with the new one; then drop the old one). Each sealed value names its key by id.
 */
export class SecretBox {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('a secret box needs a key');
    this.keys = keys.map((key) => {
      if (key.length !== 32) throw new Error('webhook secret keys are 32 bytes');
      return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
    });
  }

  seal(secret: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64'));
    return `${PREFIX}${id}:${parts.join(':')}`;
  }

  /** The secret, whichever listed key sealed it; throws on a value no listed key sealed, or one altered since. */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const [id, iv, tag, sealed] = stored.slice(PREFIX.length).split(':');
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) throw new Error(`the secret was sealed with key ${id}, which is not listed`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
  }

  /** Whether a stored value should be sealed again: plain text from before sealing, or sealed with an older key. */
  stale(stored: string): boolean {
    return !stored.startsWith(`${PREFIX}${this.keys[0].id}:`);
  }
}
