import { crc32 } from 'node:zlib';

/** A level as the feed sends it: price and quantity strings exactly as they go on the wire. */
export type WireLevel = [price: string, quantity: number];

const digits = (value: string): string => value.replace('.', '').replace(/^0+/, '');

/**
 * Kraken-style checksum of the top of a book: the 10 best asks (low to high), then the 10 best bids (high to
 * low), each level's price and quantity as sent, with the decimal point and leading zeros removed, concatenated,
 * then CRC32 (unsigned).
 */
export function bookChecksum(bids: WireLevel[], asks: WireLevel[]): number {
  let text = '';
  for (const [price, quantity] of asks.slice(0, 10)) text += digits(price) + digits(String(quantity));
  for (const [price, quantity] of bids.slice(0, 10)) text += digits(price) + digits(String(quantity));
  return crc32(text) >>> 0;
}
