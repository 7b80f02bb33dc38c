/** The exchange's time (ms since the epoch). A port, so tests can move time instead of sleeping. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
