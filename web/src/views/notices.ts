import { ExchangeError, type SocketState } from '@gpu-hour-exchange/client';
import { byId, h } from '../dom';

const SHOWN_MS = 10_000;

/** The connection pill in the header, and the API's errors as dismissable banners. */
export class Notices {
  private readonly pill = byId('connection');
  private readonly errors = byId('errors');
  private countdown: ReturnType<typeof setInterval> | null = null;

  connection(state: SocketState, retryInMs = 0): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = null;
    const shown = state === 'open' ? 'live' : state;
    this.pill.dataset.state = shown;
    // What is on screen may be stale until the feed is back (the page dims it).
    document.body.dataset.feed = shown;
    if (state === 'open') {
      this.pill.textContent = 'live';
    } else if (state === 'connecting') {
      this.pill.textContent = 'connecting…';
    } else {
      const until = Date.now() + retryInMs;
      const tick = () => {
        const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
        this.pill.textContent = seconds > 0 ? `disconnected: retrying in ${seconds}s` : 'reconnecting…';
      };
      tick();
      this.countdown = setInterval(tick, 250);
    }
  }

  /** Shows what the API refused and why (its stable code and its message). */
  error(error: unknown, doing?: string): void {
    const text =
      error instanceof ExchangeError
        ? `${doing ? `${doing}: ` : ''}${error.code}: ${error.detail}`
        : `${doing ? `${doing}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
    const banner = h('div', {
      class: 'error',
      'data-code': error instanceof ExchangeError ? error.code : 'ERROR',
    });
    banner.append(
      h('span', {}, text),
      h('button', { type: 'button', onclick: () => banner.remove() }, 'dismiss'),
    );
    this.errors.append(banner);
    setTimeout(() => banner.remove(), SHOWN_MS);
  }
}
