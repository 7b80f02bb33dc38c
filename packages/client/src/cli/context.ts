import { createRestClient, type RestClient } from '../rest/rest-client';
import { ExchangeSocket } from '../ws/exchange-socket';
import { connection, type Connection } from './config';
import type { Flags } from './args';
import { Output } from './output';

/** What a command works with: where the exchange is, its REST client, a WebSocket when needed, the output. */
export class Context {
  readonly connection: Connection;
  readonly rest: RestClient;
  readonly out: Output;

  constructor(flags: Flags) {
    this.connection = connection(flags as { url?: string; 'api-key'?: string; profile?: string });
    this.rest = createRestClient({ baseUrl: this.connection.url, apiKey: this.connection.apiKey });
    this.out = new Output(flags.json === true);
  }

  /** A WebSocket that reconnects by itself (it ends with the process, when the command exits). */
  socket(): ExchangeSocket {
    return new ExchangeSocket({ url: this.connection.url, apiKey: this.connection.apiKey });
  }
}

export type Command = (args: string[]) => Promise<number | void>;
