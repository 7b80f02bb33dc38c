/** The exchange's time (ms since the epoch). A port, so tests can move time instead of sleeping. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/** Real time plus an offset that only grows: `POST /v1/admin/clock/advance` moves it (TEST_CLOCK=true only). */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
