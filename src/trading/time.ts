let lastMs = Number.NaN;
let lastIso = '';

/**
 * ms since the epoch as ISO-8601 (formatting only: the core never reads a clock). Every command of a batch runs
 * at the same time, so the last answer is kept: most calls are for the time just formatted.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

export const isoTimeOrNull = (ms: number | null): string | null => (ms === null ? null : isoTime(ms));

export const HOUR_MS = 3_600_000;
