import { crc32 } from 'node:zlib';
import { WireLevel, checksumText } from '@gpu-hour-exchange/client';

export type { WireLevel } from '@gpu-hour-exchange/client';

/** The book checksum of PROTOCOL.md: CRC32 (unsigned) of the top 10 levels' `checksumText`. */
export function bookChecksum(bids: WireLevel[], asks: WireLevel[]): number {
  return crc32(checksumText(bids, asks)) >>> 0;
}
