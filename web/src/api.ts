import { createRestClient, type RestClient } from '@gpu-hour-exchange/client';

/** The REST API through the SDK's typed client, with the signed-in account's key when there is one. */
export class Api {
  rest: RestClient = createRestClient({ baseUrl: location.origin });

  signIn(apiKey: string | null): void {
    this.rest = createRestClient({ baseUrl: location.origin, apiKey: apiKey ?? undefined });
  }
}
