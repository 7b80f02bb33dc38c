import { RestClient, components, createRestClient, unwrap } from '@gpu-hour-exchange/client';
import { recordedFetch, recordedRequest } from './recorded-request';
import { ExchangeProcess } from './exchange-process';

type Scope = components['schemas']['CreateAccountDto']['scopes'][number];

/** Small helpers for a running exchange: supertest for raw HTTP, and the SDK's typed client. */
export class Api {
  constructor(private readonly exchange: ExchangeProcess) {}

  get http() {
    return recordedRequest(this.exchange.url);
  }

  /** The SDK's typed REST client, signed in with a key (`Bearer …` or bare), its responses recorded too. */
  rest(key?: string): RestClient {
    return createRestClient({
      baseUrl: this.exchange.url,
      apiKey: key?.replace(/^Bearer /, ''),
      fetch: recordedFetch(this.exchange.url),
    });
  }

  admin() {
    return `Bearer ${this.exchange.adminKey}`;
  }

  async account(name: string, scopes: Scope[], deposit?: string): Promise<{ id: string; key: string }> {
    const admin = this.rest(this.exchange.adminKey);
    const created = await unwrap(admin.POST('/v1/admin/accounts', { body: { name, scopes } }));
    if (deposit) {
      await unwrap(
        admin.POST('/v1/admin/accounts/{id}/deposits', {
          params: { path: { id: created.id } },
          body: { amount: deposit },
        }),
      );
    }
    return { id: created.id, key: `Bearer ${created.apiKey}` };
  }

  /**
   * A seller account with one cluster; returns the cluster and its webhook secret too. Without a `webhookUrl` the
   * cluster's hook points at a closed port (fine where leases need not become active, or PROVISIONER=instant).
   */
  async seller(
    name: string,
    cluster: { gpu: string; region: string; gpuCount: number; webhookUrl?: string },
  ): Promise<{ id: string; key: string; cluster: string; webhookSecret: string }> {
    const account = await this.account(name, ['sell', 'read']);
    const created = await unwrap(
      this.rest(account.key).POST('/v1/clusters', {
        body: { name: `${name} cluster`, webhookUrl: 'http://127.0.0.1:9/hook', ...cluster },
      }),
    );
    return { ...account, cluster: created.id, webhookSecret: created.webhookSecret };
  }
}
