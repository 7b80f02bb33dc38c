import type { components } from '../../generated/openapi';
import { unwrap } from '../../rest/rest-client';
import { argument, integer, optional, parse, required } from '../args';
import { Context } from '../context';
import { table } from '../output';
import { UsageError } from '../usage';

export async function account(args: string[]): Promise<void> {
  const { flags } = parse(args, { limit: { type: 'string' } });
  const ctx = new Context(flags);
  const [details, ledger] = await Promise.all([
    unwrap(ctx.rest.GET('/v1/account')),
    unwrap(ctx.rest.GET('/v1/account/ledger', { params: { query: { limit: integer(flags, 'limit', 20) } } })),
  ]);
  ctx.out.result(
    { ...details, ledger },
    () =>
      `${details.name} (${details.id}), scopes ${details.scopes.join(', ')}\n` +
      `available ${details.balance.available} USD, held ${details.balance.held} USD, in escrow ${details.balance.escrow} USD\n\n` +
      table(ledger, ['time', 'kind', 'book', 'amount', 'reference']),
  );
}

type CreateApiKey = components['schemas']['CreateApiKeyDto'];

const KEY_COLUMNS = ['id', 'label', 'prefix', 'scopes', 'expiresAt', 'lastUsedAt', 'revokedAt'];

export async function keys(args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  if (verb === 'list' || verb === undefined) {
    const { flags } = parse(rest, {});
    const ctx = new Context(flags);
    const list = await unwrap(ctx.rest.GET('/v1/account/api-keys'));
    ctx.out.result(list, () => table(list, KEY_COLUMNS));
    return;
  }
  if (verb === 'create') {
    const { flags } = parse(rest, {
      label: { type: 'string' },
      scopes: { type: 'string' },
      expires: { type: 'string' },
    });
    const ctx = new Context(flags);
    // The exchange checks the scopes' names (and says which it takes).
    const scopes = required(flags, 'scopes')
      .split(',')
      .map((scope) => scope.trim()) as CreateApiKey['scopes'];
    const expiresAt = optional(flags, 'expires');
    const body: CreateApiKey = {
      label: required(flags, 'label'),
      scopes,
      ...(expiresAt ? { expiresAt } : {}),
    };
    const created = await unwrap(ctx.rest.POST('/v1/account/api-keys', { body }));
    ctx.out.result(
      created,
      () => `${table([created], KEY_COLUMNS)}\napi key (shown once): ${created.apiKey}`,
    );
    return;
  }
  if (verb === 'revoke') {
    const { flags, positionals } = parse(rest, {});
    const ctx = new Context(flags);
    const id = argument(positionals, 'KEY_ID');
    const revoked = await unwrap(ctx.rest.DELETE('/v1/account/api-keys/{id}', { params: { path: { id } } }));
    ctx.out.result(revoked, () => table([revoked], KEY_COLUMNS));
    return;
  }
  throw new UsageError(`keys takes list, create or revoke, not "${verb}"`);
}
