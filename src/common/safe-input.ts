/**
 * What PostgreSQL cannot store as sent. A text column refuses NUL; the driver turns a lone UTF-16 surrogate into
 * U+FFFD, so two different strings would be stored as the same text; JSON has no Infinity or NaN. Such input is
 * refused at the edge (and again by the trading core), so it never reaches the database.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How deep a request's objects may nest. */
export const MAX_INPUT_DEPTH = 32;

/** The largest value an `integer` column holds. */
export const MAX_INT32 = 2_147_483_647;

/** NUL or any surrogate: one quick test that almost all text passes, before the exact ones. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Why this text cannot be stored as sent, or null. */
export function unsafeText(text: string): string | null {
  if (!SUSPECT.test(text)) return null;
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

/**
 * The first part of a parsed request (a body, a query, a WebSocket frame, a cluster's answer) that cannot be
 * stored exactly as sent, as `<path> <reason>`; null when all of it can. Keys are checked like values. (A quick
 * walk first: nearly all input is fine, and only a problem is worth a path.)
 */
export function findUnsafeInput(value: unknown, path = 'request'): string | null {
  return isSafe(value, 0) ? null : describeUnsafe(value, path, 0);
}

function isSafe(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !SUSPECT.test(value) || unsafeText(value) === null;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_INPUT_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isSafe(item, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (SUSPECT.test(key) && unsafeText(key) !== null) return false;
    if (!isSafe((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function describeUnsafe(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') {
    const problem = unsafeText(value);
    return problem ? `${path} ${problem}` : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is not a finite number`;
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_INPUT_DEPTH) return `${path} nests deeper than ${MAX_INPUT_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = describeUnsafe(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = unsafeText(key);
    if (keyProblem) return `a key of ${path} ${keyProblem}`;
    const problem = describeUnsafe(item, `${path}.${key}`, depth + 1);
    if (problem) return problem;
  }
  return null;
}
