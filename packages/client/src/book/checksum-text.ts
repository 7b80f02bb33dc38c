/** A level as the feed sends it: price and quantity strings exactly as they go on the wire. */
export type WireLevel = [price: string, quantity: number];

const digits = (value: string): string => value.replace('.', '').replace(/^0+/, '');

/**
 * What the book checksum is the CRC32 of, Kraken-style: the 10 best asks (low to high), then the 10 best bids (high
 * to low), each level's price and quantity as sent, with the decimal point and leading zeros removed, concatenated.
 * The exchange computes its checksums with this very function, so a client that uses it agrees by construction.
 */
export function checksumText(bids: WireLevel[], asks: WireLevel[]): string {
  let text = '';
  for (const [price, quantity] of asks.slice(0, 10)) text += digits(price) + digits(String(quantity));
  for (const [price, quantity] of bids.slice(0, 10)) text += digits(price) + digits(String(quantity));
  return text;
}
