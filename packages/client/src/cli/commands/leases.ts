import { unwrap } from '../../rest/rest-client';
import { argument, integer, parse } from '../args';
import { Context } from '../context';
import { table } from '../output';
import { UsageError } from '../usage';

const COLUMNS = ['id', 'symbol', 'quantity', 'price', 'durationHours', 'status', 'startAt', 'endAt'];

export async function leases(args: string[]): Promise<void> {
  const { flags, positionals } = parse(args, { limit: { type: 'string' } });
  const ctx = new Context(flags);
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (positionals.length === 1) {
    const lease = await unwrap(ctx.rest.GET('/v1/leases/{id}', { params: { path: { id: positionals[0] } } }));
    ctx.out.result(
      lease,
      () => `${table([lease], COLUMNS)}\naccess: ${JSON.stringify(lease.access ?? null, null, 2)}`,
    );
    return;
  }
  const list = await unwrap(
    ctx.rest.GET('/v1/leases', { params: { query: { limit: integer(flags, 'limit', 50) } } }),
  );
  ctx.out.result(list, () => table(list, COLUMNS));
}

export async function release(args: string[]): Promise<void> {
  const { flags, positionals } = parse(args, {});
  const ctx = new Context(flags);
  const id = argument(positionals, 'LEASE_ID');
  const lease = await unwrap(ctx.rest.POST('/v1/leases/{id}/release', { params: { path: { id } } }));
  ctx.out.result(lease, () => table([lease], COLUMNS));
}
