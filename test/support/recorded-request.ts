import request from 'supertest';
import { recordResponse } from './openapi-conformance';

type Agent = ReturnType<typeof request>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * supertest against a running exchange, with every response recorded for the OpenAPI conformance check that
 * runs after each suite (test/support/openapi-conformance.ts).
 */
export function recordedRequest(baseUrl: string): Agent {
  const agent = request(baseUrl);
  const recorded = { ...agent } as Agent;
  for (const method of METHODS) {
    recorded[method] = (path: string) =>
      agent[method](path).on(
        'response',
        (response: { status: number; headers: Record<string, string>; body: unknown; text: string }) =>
          recordResponse(baseUrl, {
            method,
            path,
            status: response.status,
            contentType: response.headers['content-type'] ?? '',
            body: response.body,
            text: response.text,
          }),
      );
  }
  return recorded;
}

/** A `fetch` that records every response for the same check (for the SDK's REST client in tests). */
export function recordedFetch(baseUrl: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await response.clone().text();
    const contentType = response.headers.get('content-type') ?? '';
    recordResponse(baseUrl, {
      method: request.method.toLowerCase(),
      path: url.pathname + url.search,
      status: response.status,
      contentType,
      body: contentType.includes('json') && text ? JSON.parse(text) : {},
      text,
    });
    return response;
  };
}
