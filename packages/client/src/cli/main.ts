import { ExchangeError } from '../errors';
import { account, keys } from './commands/account';
import { clusters } from './commands/clusters';
import { leases, release } from './commands/leases';
import { book, markets, trades } from './commands/market-data';
import { amend, buy, cancel, fills, orders, sell } from './commands/trading';
import type { Command } from './context';
import { Output } from './output';
import { EXIT, HELP, UsageError } from './usage';

const COMMANDS: Record<string, Command> = {
  markets,
  book,
  trades,
  buy,
  sell,
  orders,
  cancel,
  amend,
  fills,
  leases,
  release,
  clusters,
  account,
  keys,
};

/** Runs one command line; resolves with the exit code (see `EXIT`). */
export async function main(argv: string[]): Promise<number> {
  const out = new Output(argv.includes('--json'));
  const [name, ...args] = argv;
  if (
    name === undefined ||
    name === 'help' ||
    name === '--help' ||
    name === '-h' ||
    args.includes('--help')
  ) {
    process.stdout.write(`${HELP}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    out.error('USAGE', `unknown command "${name}" (gpux help lists them)`);
    return EXIT.usage;
  }
  try {
    return (await command(args)) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      out.error('USAGE', `${error.message} (gpux help)`);
      return EXIT.usage;
    }
    if (error instanceof ExchangeError) {
      out.error(error.code, error.detail);
      return error.code === 'NETWORK' || error.code === 'TIMEOUT' ? EXIT.unreachable : EXIT.refused;
    }
    throw error;
  }
}

/** The process: runs `process.argv`, exits with the code (130 on Ctrl-C). */
export function run(): void {
  process.once('SIGINT', () => process.exit(EXIT.aborted));
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `gpux: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(EXIT.refused);
    },
  );
}
