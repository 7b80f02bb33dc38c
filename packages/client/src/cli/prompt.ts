import { createInterface } from 'node:readline/promises';
import { UsageError } from './usage';

/** Asks a yes/no question on the terminal; without a terminal, `--yes` is required. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError('no terminal to confirm on: pass --yes');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await terminal.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    terminal.close();
  }
}
