import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags every command takes. */
export const COMMON: Options = {
  json: { type: 'boolean' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export type Flags = Record<string, string | boolean | undefined>;

/** A command's flags and positionals; an unknown flag or a missing value is a `UsageError`. */
export function parse(args: string[], options: Options): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...COMMON, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { flags: values as Flags, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optional(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** A whole number flag (GPUs, hours, limits): `--gpus 64`. */
export function integer(flags: Flags, name: string, fallback?: number): number {
  const value = flags[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^[1-9]\d{0,8}$/.test(value))
    throw new UsageError(
      `--${name} must be a positive whole number${value === undefined ? '' : `, got "${value}"`}`,
    );
  return Number(value);
}

/** A decimal price flag: `--max-price 2.10`. */
export function price(flags: Flags, name: string): string {
  const value = required(flags, name);
  if (!/^\d{1,9}(\.\d{1,8})?$/.test(value) || Number(value) === 0)
    throw new UsageError(
      `--${name} must be a positive decimal price in USD per GPU-hour, such as 2.10, got "${value}"`,
    );
  return value;
}

export function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[], fallback?: T): T {
  const value = flags[name] ?? fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new UsageError(
      `--${name} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, got "${String(value)}"`}`,
    );
  return value as T;
}

/** The one positional a command needs (an id, a symbol). */
export function argument(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`${what} is required`);
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  return positionals[0];
}
