const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now
  '08000', // connection exception
  '08003', // connection does not exist
  '08006', // connection failure
]);

/** Whether an error means "the database cannot be reached" (as opposed to a bug or a refused statement). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; driverError?: unknown; message?: unknown } | undefined; e;) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (
      typeof e.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect/i.test(e.message)
    ) {
      return true;
    }
    e = e.driverError as typeof e;
  }
  return false;
}
