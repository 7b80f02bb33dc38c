import { RestClient, createRestClient } from '@gpu-hour-exchange/client';
import { recordedFetch, recordedRequest } from './recorded-request';
import { ExchangeProcess } from './exchange-process';

/** Small helpers over supertest for a running exchange. */
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

  async account(name: string, scopes: string[], deposit?: string): Promise<{ id: string; key: string }> {
    const created = await this.http
      .post('/v1/admin/accounts')
      .set('Authorization', this.admin())
      .send({ name, scopes })
      .expect(201);
    if (deposit) {
      await this.http
        .post(`/v1/admin/accounts/${created.body.id}/deposits`)
        .set('Authorization', this.admin())
        .send({ amount: deposit })
        .expect(201);
    }
    return { id: created.body.id, key: `Bearer ${created.body.apiKey}` };
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
    const created = await this.http
      .post('/v1/clusters')
      .set('Authorization', account.key)
      .send({ name: `${name} cluster`, webhookUrl: 'http://127.0.0.1:9/hook', ...cluster })
      .expect(201);
    return { ...account, cluster: created.body.id, webhookSecret: created.body.webhookSecret };
  }
}
