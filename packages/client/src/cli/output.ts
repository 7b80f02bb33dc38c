/** What a command prints: a table or lines for people, one JSON document for scripts (`--json`). */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** The command's result: JSON with `--json`, else the human form. */
  result(data: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
  }

  /** A line of progress (not part of the result: on stderr, so `--json` output stays one document). */
  progress(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /** A line of a stream (`book --watch`): JSON lines with `--json`. */
  stream(data: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
  }

  error(code: string, message: string): void {
    this.stderr.write(
      this.json ? `${JSON.stringify({ error: { code, message } })}\n` : `gpux: ${code}: ${message}\n`,
    );
  }
}

/** Rows as aligned columns under a header; numbers right-aligned. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((column) => format(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((_, i) => cells.every((row) => /^-?[\d.]*$/.test(row[i])));
  const line = (values: string[]) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i]) : value.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(format).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
