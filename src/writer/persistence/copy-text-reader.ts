const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

/** The escapes COPY TO writes (it never writes octal or hex ones). */
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One row of a COPY stream, read field by field; valid only inside the reader's `onRow`. */
export class CopyRow {
  bytes: Buffer = Buffer.alloc(0);
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(readonly columns: number) {
    this.starts = new Int32Array(columns);
    this.ends = new Int32Array(columns);
  }

  isNull(i: number): boolean {
    const s = this.starts[i];
    return this.ends[i] - s === 2 && this.bytes[s] === BACKSLASH && this.bytes[s + 1] === 0x4e;
  }

  /** A (possibly negative) integer field; null for NULL. Exact up to Number.MAX_SAFE_INTEGER. */
  int(i: number): number | null {
    if (this.isNull(i)) return null;
    let s = this.starts[i];
    const negative = this.bytes[s] === 0x2d;
    if (negative) s++;
    let value = 0;
    for (let k = s; k < this.ends[i]; k++) {
      const digit = this.bytes[k] - 0x30;
      if (digit < 0 || digit > 9) throw new Error(`COPY field ${i} is not an integer`);
      value = value * 10 + digit;
    }
    return negative ? -value : value;
  }

  /** A decimal field as an integer number of millionths ("2.150000" -> 2150000); null for NULL. */
  units(i: number): number | null {
    if (this.isNull(i)) return null;
    let value = 0;
    let decimals = -1;
    for (let k = this.starts[i]; k < this.ends[i]; k++) {
      const c = this.bytes[k];
      if (c === 0x2e) {
        decimals = 0;
        continue;
      }
      const digit = c - 0x30;
      if (digit < 0 || digit > 9 || decimals === 6) throw new Error(`COPY field ${i} is not a price`);
      value = value * 10 + digit;
      if (decimals >= 0) decimals++;
    }
    for (let d = Math.max(decimals, 0); d < 6; d++) value *= 10;
    return value;
  }

  /** A text field, unescaped; null for NULL. */
  text(i: number): string | null {
    if (this.isNull(i)) return null;
    const raw = this.bytes.toString('utf8', this.starts[i], this.ends[i]);
    return raw.includes('\\') ? raw.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c) : raw;
  }

  /** A field that never needs unescaping (uuids, enum words), as plain text; null for NULL. */
  word(i: number): string | null {
    return this.isNull(i) ? null : this.bytes.toString('latin1', this.starts[i], this.ends[i]);
  }

  bool(i: number): boolean {
    return this.bytes[this.starts[i]] === 0x74;
  }

  /** The k-th byte of field i (enum fields are told apart by a byte, without making a string). */
  byte(i: number, k: number): number {
    return this.bytes[this.starts[i] + k];
  }

  /** Whether field i is exactly these bytes (a loop: for the short fields it is used on, cheaper than compare). */
  is(i: number, bytes: Buffer): boolean {
    const start = this.starts[i];
    if (this.ends[i] - start !== bytes.length) return false;
    for (let k = bytes.length - 1; k >= 0; k--) if (this.bytes[start + k] !== bytes[k]) return false;
    return true;
  }
}

/**
 * Reads PostgreSQL's COPY text format (one row per line, fields separated by tabs, `\N` for NULL, backslash
 * escapes inside text) as it streams in, chunk by chunk, and hands each row to `onRow` while its bytes are still
 * in the buffer, so no row is turned into strings it does not need. Rows may span chunks. (UTF-8 never puts a
 * tab, newline or backslash byte inside a multi-byte character, so splitting on bytes is exact.)
 */
export class CopyTextReader {
  private pending: Buffer | null = null;
  private readonly row: CopyRow;

  constructor(
    columns: number,
    private readonly onRow: (row: CopyRow) => void,
  ) {
    this.row = new CopyRow(columns);
  }

  push(chunk: Buffer): void {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    this.row.bytes = buffer;
    let position = 0;
    for (let lineEnd = buffer.indexOf(NEWLINE); lineEnd >= 0; lineEnd = buffer.indexOf(NEWLINE, position)) {
      this.split(buffer, position, lineEnd);
      this.onRow(this.row);
      position = lineEnd + 1;
    }
    if (position < buffer.length) this.pending = Buffer.from(buffer.subarray(position));
  }

  /** Call after the last chunk: a row without its newline means the stream was cut. */
  finish(): void {
    if (this.pending) throw new Error('the COPY stream ended in the middle of a row');
  }

  private split(buffer: Buffer, start: number, lineEnd: number): void {
    const { starts, ends, columns } = this.row;
    let field = 0;
    for (let from = start; ; field++) {
      let tab = buffer.indexOf(TAB, from);
      if (tab < 0 || tab > lineEnd) tab = lineEnd;
      if (field >= columns) throw new Error(`a COPY row has more than ${columns} fields`);
      starts[field] = from;
      ends[field] = tab;
      if (tab === lineEnd) break;
      from = tab + 1;
    }
    if (field + 1 !== columns) throw new Error(`a COPY row has ${field + 1} fields, ${columns} expected`);
  }
}
