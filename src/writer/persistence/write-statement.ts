/**
 * Several writes sent to PostgreSQL as one statement of data-modifying CTEs: one round trip, atomic on its own
 * (no BEGIN/COMMIT round trips). Each part is written as if it were alone, with parameters $1..$n, and is
 * renumbered as it is added. The parts of one statement all see the database as it was before it, so no part
 * may touch rows another part writes; foreign keys are checked at the end, and see every part's rows.
 */
export class WriteStatement {
  private readonly parts: string[] = [];
  private readonly checks: string[] = [];
  readonly params: unknown[] = [];

  /** Adds a part; returns its name, for other parts (or `expectRows`) to refer to. */
  add(sql: string, values: unknown[]): string {
    const name = `w${this.parts.length}`;
    const offset = this.params.length;
    const numbered = sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    this.parts.push(`${name} as (${numbered})`);
    this.params.push(...values);
    return name;
  }

  /** The whole statement fails unless part `name` (ending in `returning 1`) wrote exactly `rows` rows. */
  expectRows(name: string, rows: number, what: string): void {
    this.check(`expect_rows((select count(*) from ${name}), $1::bigint, $2::text)`, [rows, what]);
  }

  /** A boolean expression (a function that raises when its check fails), with parameters $1..$n of its own. */
  check(expression: string, values: unknown[]): void {
    const offset = this.params.length;
    this.checks.push(expression.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));
    this.params.push(...values);
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  get text(): string {
    return `with ${this.parts.join(',\n')}\nselect ${this.checks.length ? this.checks.join(', ') : '1'}`;
  }
}
