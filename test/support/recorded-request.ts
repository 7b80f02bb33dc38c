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
