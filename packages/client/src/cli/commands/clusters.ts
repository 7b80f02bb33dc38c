import { unwrap } from '../../rest/rest-client';
import { integer, parse, required } from '../args';
import { Context } from '../context';
import { table } from '../output';
import { UsageError } from '../usage';

const COLUMNS = ['id', 'name', 'gpu', 'region', 'gpuCount', 'status', 'webhookUrl'];

export async function clusters(args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  if (verb === 'list') {
    const { flags } = parse(rest, {});
    const ctx = new Context(flags);
    const list = await unwrap(ctx.rest.GET('/v1/clusters'));
    ctx.out.result(list, () => table(list, COLUMNS));
    return;
  }
  if (verb === 'add') {
    const { flags } = parse(rest, {
      name: { type: 'string' },
      gpu: { type: 'string' },
      region: { type: 'string' },
      gpus: { type: 'string' },
      webhook: { type: 'string' },
    });
    const ctx = new Context(flags);
    const body = {
      name: required(flags, 'name'),
      gpu: required(flags, 'gpu'),
      region: required(flags, 'region'),
      gpuCount: integer(flags, 'gpus'),
      webhookUrl: required(flags, 'webhook'),
    };
    const cluster = await unwrap(ctx.rest.POST('/v1/clusters', { body }));
    ctx.out.result(
      cluster,
      () =>
        `${table([cluster], COLUMNS)}\nwebhook secret (shown once; give it to your cluster agent): ${cluster.webhookSecret}`,
    );
    return;
  }
  throw new UsageError(`clusters takes add or list${verb ? `, not "${verb}"` : ''}`);
}
