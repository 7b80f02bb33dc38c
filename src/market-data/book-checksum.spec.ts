import { crc32 } from 'node:zlib';
import { bookChecksum } from './book-checksum';

describe('bookChecksum', () => {
  it('concatenates asks low to high then bids high to low, without points or leading zeros', () => {
    const asks: [string, number][] = [
      ['0.05', 8],
      ['2.1', 16],
    ];
    const bids: [string, number][] = [
      ['2', 8],
      ['1.95', 24],
    ];
    expect(bookChecksum(bids, asks)).toBe(crc32('58' + '2116' + '28' + '19524') >>> 0);
  });

  it('uses only the top 10 levels of each side', () => {
    const levels = (n: number): [string, number][] => Array.from({ length: n }, (_, i) => [`${i + 1}.5`, 8]);
    expect(bookChecksum(levels(12), levels(11))).toBe(bookChecksum(levels(10), levels(10)));
    expect(bookChecksum(levels(9), levels(10))).not.toBe(bookChecksum(levels(10), levels(10)));
  });
});
