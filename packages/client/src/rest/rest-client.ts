import createClient, { type Client } from 'openapi-fetch';
import { ExchangeError, type ErrorCode } from '../errors';
import type { paths } from '../generated/openapi';

export type RestClient = Client<paths>;

export interface RestClientOptions {
  /** Where the exchange serves, for example `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An account's API key (`gpx_…`), or the admin key; without one only public routes answer. */
  apiKey?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

/**
 * Typed REST calls: every path, parameter, body and answer is typed from the exchange's OpenAPI document
 * (`openapi.json`, generated into `src/generated/openapi.ts`). Pass a call to `unwrap` to get its data or an
 * `ExchangeError`: `await unwrap(rest.GET('/v1/markets/{symbol}', { params: { path: { symbol } } }))`.
 */
export function createRestClient(options: RestClientOptions): RestClient {
  const baseFetch = options.fetch ?? globalThis.fetch;
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    fetch: async (request: Request) => {
      try {
        return await baseFetch(request);
      } catch (error) {
        throw new ExchangeError('NETWORK', `the exchange cannot be reached (${String(error)})`);
      }
    },
  });
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a REST answer, or an `ExchangeError` with the protocol's code, message and HTTP status. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<Exclude<T, undefined>> {
  const { data, error, response } = await call;
  if (response.ok) return data as Exclude<T, undefined>;
  const envelope = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
  throw new ExchangeError(
    (envelope?.code ?? 'NETWORK') as ErrorCode,
    envelope?.message ?? `HTTP ${response.status} ${response.statusText}`,
    response.status,
  );
}
