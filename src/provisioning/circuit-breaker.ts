/** How a breaker lets requests to its cluster through: all, one probe at a time, or none (failed fast). */
export type Passage = 'send' | 'probe' | 'fail-fast';

export interface BreakerSettings {
  /** Failures in a row that open the breaker. */
  failures: number;
  /** How long it stays open before it lets one probe through; doubled after each failed probe, up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
}

/**
 * One cluster's circuit breaker. Closed, every request is sent. After `failures` failed requests in a row it
 * opens: requests are failed fast, without touching the network, for `openMs`. Then it is half-open: one request
 * at a time goes through as a probe; a success closes it, a failure opens it again for twice as long. Time is
 * passed in, so it is deterministic.
 */
export class CircuitBreaker {
  private failuresInRow = 0;
  private openUntil = 0;
  private currentOpenMs: number;
  private probing = false;

  constructor(private readonly settings: BreakerSettings) {
    this.currentOpenMs = settings.openMs;
  }

  get open(): boolean {
    return this.failuresInRow >= this.settings.failures;
  }

  /** May a request be sent now? A `probe` must be followed by `succeeded` or `failed`. */
  passage(now: number): Passage {
    if (!this.open) return 'send';
    if (this.probing || now < this.openUntil) return 'fail-fast';
    this.probing = true;
    return 'probe';
  }

  succeeded(): void {
    this.failuresInRow = 0;
    this.probing = false;
    this.currentOpenMs = this.settings.openMs;
  }

  /** Records a failed request; true when this failure opened the breaker (it was closed before). */
  failed(now: number): boolean {
    const wasOpen = this.open;
    this.failuresInRow++;
    if (wasOpen && this.probing) {
      this.currentOpenMs = Math.min(this.currentOpenMs * 2, this.settings.maxOpenMs);
    }
    this.probing = false;
    if (this.open) this.openUntil = now + this.currentOpenMs;
    return !wasOpen && this.open;
  }

  /** A probe that ended without an answer about the cluster (the exchange's own database failed, say). */
  probeVoid(): void {
    this.probing = false;
  }
}
