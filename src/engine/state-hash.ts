import { BookSnapshot, RestingOrder } from './types';

/**
 * A deterministic 64-bit digest (two 32-bit lanes of a multiply-xorshift mix) of a book snapshot. Not
 * cryptographic: it detects divergence between replays and implementations, it does not resist forgery.
 */
export class Digest {
  private a = 0x811c9dc5;
  private b = 0x01000193;

  /** Mixes a safe integer or null (null is distinct from every integer). */
  int(value: number | null): void {
    if (value === null) {
      this.word(0x7fffffff);
      this.word(0xfffffffe);
      return;
    }
    this.word(value >>> 0);
    this.word(Math.floor(value / 0x100000000) >>> 0);
  }

  text(value: string): void {
    this.int(value.length);
    for (let i = 0; i < value.length; i++) this.word(value.charCodeAt(i));
  }

  hex(): string {
    const fin = (h: number): string => {
      let x = h;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
      return ((x ^ (x >>> 16)) >>> 0).toString(16).padStart(8, '0');
    };
    return fin(this.a) + fin(this.b);
  }

  private word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193);
    this.b = Math.imul(this.b ^ w, 0x5bd1e995) ^ (this.b >>> 15);
  }
}

const TIF_CODE = { GTC: 1, IOC: 2, FOK: 3, GTD: 4 } as const;
const STP_CODE = { cancel_newest: 1, cancel_oldest: 2, cancel_both: 3, decrement: 4 } as const;

function mixOrder(d: Digest, o: RestingOrder): void {
  d.int(o.id);
  d.int(o.accountId);
  d.int(o.side === 'buy' ? 1 : 2);
  d.int(o.price);
  d.int(o.quantity);
  d.int(o.filled);
  d.int(o.durationHours);
  d.int(o.availableUntil);
  d.int(o.minQuantity);
  d.int(TIF_CODE[o.timeInForce]);
  d.int(o.expireAt);
  d.int(o.postOnly ? 1 : 0);
  d.int(STP_CODE[o.selfTradePrevention]);
}

export function hashSnapshot(snapshot: BookSnapshot): string {
  const d = new Digest();
  const m = snapshot.market;
  d.text(m.symbol);
  d.int(m.tickSize);
  d.int(m.lotSize);
  d.int(m.minDurationHours);
  d.int(m.maxDurationHours);
  d.int(snapshot.sequence);
  d.int(snapshot.lastTradeId);
  d.int(snapshot.orders.length);
  for (const order of snapshot.orders) mixOrder(d, order);
  return d.hex();
}
