import { expiryTime } from './rules';
import { PlaceCommand, RestingOrder, SelfTradePrevention, Side, TimeInForce } from './types';
import type { Level } from './price-ladder';

/**
 * An order inside the fast book. It is its own list node three times over: in its price level's FIFO
 * (`prev`/`next`), in its account's list (`accountPrev`/`accountNext`, for cancel-all) and in the expiry heap
 * (`heapIndex`), so every removal is O(1) (O(log n) for the heap) without searching.
 */
export class BookOrder {
  prev: BookOrder | null = null;
  next: BookOrder | null = null;
  level: Level | null = null;
  accountPrev: BookOrder | null = null;
  accountNext: BookOrder | null = null;
  heapIndex = -1;
  /** When the order expires (earliest of expireAt and availableUntil), null if never. */
  readonly expiresAt: number | null;

  constructor(
    readonly id: number,
    readonly accountId: number,
    readonly side: Side,
    /** null only for a market order, which never rests. */
    public price: number | null,
    public remaining: number,
    public filled: number,
    readonly durationHours: number | null,
    readonly availableUntil: number | null,
    readonly minQuantity: number | null,
    readonly timeInForce: TimeInForce,
    readonly expireAt: number | null,
    readonly postOnly: boolean,
    readonly selfTradePrevention: SelfTradePrevention,
  ) {
    this.expiresAt = expiryTime(expireAt, availableUntil);
  }

  /** From a command that has passed validation. */
  static fromPlace(cmd: PlaceCommand): BookOrder {
    return new BookOrder(
      cmd.orderId,
      cmd.accountId,
      cmd.side,
      cmd.type === 'limit' ? (cmd.price as number) : null,
      cmd.quantity,
      0,
      cmd.durationHours ?? null,
      cmd.availableUntil ?? null,
      cmd.minQuantity ?? null,
      cmd.timeInForce ?? 'GTC',
      cmd.expireAt ?? null,
      cmd.postOnly ?? false,
      cmd.selfTradePrevention ?? 'cancel_newest',
    );
  }

  static fromResting(o: RestingOrder): BookOrder {
    return new BookOrder(
      o.id,
      o.accountId,
      o.side,
      o.price,
      o.quantity - o.filled,
      o.filled,
      o.durationHours,
      o.availableUntil,
      o.minQuantity,
      o.timeInForce,
      o.expireAt,
      o.postOnly,
      o.selfTradePrevention,
    );
  }

  toResting(): RestingOrder {
    return {
      id: this.id,
      accountId: this.accountId,
      side: this.side,
      price: this.price as number,
      quantity: this.filled + this.remaining,
      filled: this.filled,
      durationHours: this.durationHours,
      availableUntil: this.availableUntil,
      minQuantity: this.minQuantity,
      timeInForce: this.timeInForce,
      expireAt: this.expireAt,
      postOnly: this.postOnly,
      selfTradePrevention: this.selfTradePrevention,
    };
  }
}
