import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './usage';

export interface Connection {
  url: string;
  apiKey?: string;
}

interface ProfileFile {
  profiles?: Record<string, { url?: string; apiKey?: string }>;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

function profileFile(env: NodeJS.ProcessEnv): string {
  if (env.GPUX_CONFIG) return env.GPUX_CONFIG;
  const base = env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'gpux', 'config.json');
}

/** Where to connect and with which key: flags, then GPUX_URL / GPUX_API_KEY, then the profile, then defaults. */
export function connection(
  flags: { url?: string; 'api-key'?: string; profile?: string },
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const path = profileFile(env);
  const name = flags.profile ?? env.GPUX_PROFILE;
  let profile: { url?: string; apiKey?: string } = {};
  if (existsSync(path)) {
    let parsed: ProfileFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as ProfileFile;
    } catch (error) {
      throw new UsageError(`${path} is not valid JSON (${(error as Error).message})`);
    }
    profile = parsed.profiles?.[name ?? 'default'] ?? {};
    if (name && !parsed.profiles?.[name]) throw new UsageError(`no profile "${name}" in ${path}`);
  } else if (name) {
    throw new UsageError(`no profile "${name}": ${path} does not exist`);
  }
  const url = flags.url || env.GPUX_URL || profile.url || DEFAULT_URL;
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL such as ${DEFAULT_URL}, got "${url}"`);
  }
  return { url, apiKey: flags['api-key'] || env.GPUX_API_KEY || profile.apiKey };
}
