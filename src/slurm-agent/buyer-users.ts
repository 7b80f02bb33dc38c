import { execFile } from 'node:child_process';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { defaultUserOf, uuid, userName } from './slurm-names';

const run = promisify(execFile);
const SSH_KEY =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\n\r\0]*)?$/;

/**
 * Which Slurm user runs a buyer's jobs. `create`: a user of its own per buyer (`gpux-<12 hex of the account id>`),
 * made with `useradd` on first use (the agent runs as root beside slurmctld), with the buyer's SSH key in its
 * `authorized_keys`. `map`: a file of `{"<account id>": "<user>"}` the seller keeps; a buyer not in it cannot be
 * provisioned.
 */
export class BuyerUsers {
  private constructor(private readonly map: Map<string, string> | null) {}

  static create(): BuyerUsers {
    return new BuyerUsers(null);
  }

  static async fromFile(path: string): Promise<BuyerUsers> {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const map = new Map<string, string>();
    for (const [account, user] of Object.entries(parsed))
      map.set(uuid(account, 'account id'), userName(user));
    return new BuyerUsers(map);
  }

  /** The buyer's user, made (and given the key) if this agent makes users. */
  async userFor(accountId: string, sshPublicKey: string | null): Promise<string> {
    if (this.map) {
      const user = this.map.get(uuid(accountId, 'buyer account id'));
      if (!user) throw new Error(`buyer ${accountId} has no Slurm user in the seller's map`);
      return user;
    }
    const user = defaultUserOf(accountId);
    const exists = await run('id', ['-u', user]).then(
      () => true,
      () => false,
    );
    if (!exists) await run('useradd', ['--create-home', '--shell', '/bin/bash', user]);
    if (sshPublicKey !== null && SSH_KEY.test(sshPublicKey)) await this.authorize(user, sshPublicKey);
    return user;
  }

  private async authorize(user: string, key: string): Promise<void> {
    const { stdout } = await run('getent', ['passwd', user]);
    const [, , uid, gid, , home] = stdout.trim().split(':');
    await mkdir(`${home}/.ssh`, { recursive: true, mode: 0o700 });
    await writeFile(`${home}/.ssh/authorized_keys`, `${key}\n`, { mode: 0o600 });
    for (const path of [`${home}/.ssh`, `${home}/.ssh/authorized_keys`])
      await chown(path, Number(uid), Number(gid));
  }
}
