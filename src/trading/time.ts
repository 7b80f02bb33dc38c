/** ms since the epoch as ISO-8601 (formatting only: the core never reads a clock). */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

export const isoTimeOrNull = (ms: number | null): string | null => (ms === null ? null : isoTime(ms));

export const HOUR_MS = 3_600_000;
