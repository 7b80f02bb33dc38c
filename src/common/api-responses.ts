import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode, HTTP_STATUS } from './domain-error';

/** A schema of the OpenAPI document, or a reference to a named one (`ref('Order')`). */
export type Schema = SchemaObject | ReferenceObject;

export const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
export const listOf = (items: Schema): SchemaObject => ({ type: 'array', items });

/**
 * What a route answers on success: a named schema of `src/openapi/schemas/`, or a list of them (`['Order']`).
 * Errors need no decorator for the statuses every route may give (see `src/openapi/openapi-document.ts`);
 * `ApiRefusals` adds the others.
 */
export function ApiAnswer(status: number, schema: string | [string] | Schema, description: string) {
  const body =
    typeof schema === 'string' ? ref(schema) : Array.isArray(schema) ? listOf(ref(schema[0])) : schema;
  return ApiResponse({ status, description, schema: body });
}

/** Error statuses a route gives beyond the common ones (404 without a path parameter, 409). */
export function ApiRefusals(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: errorDescription(status), schema: ref(errorSchemaName(status)) }),
    ),
  );
}

export const errorSchemaName = (status: number) => `Error${status}`;

/** The codes an error with this status can carry (a too-large body is 413 INVALID_REQUEST). */
export function errorCodes(status: number): ErrorCode[] {
  const codes = (Object.keys(HTTP_STATUS) as ErrorCode[]).filter((code) => HTTP_STATUS[code] === status);
  return status === 413 ? ['INVALID_REQUEST'] : codes;
}

export function errorDescription(status: number): string {
  return `refused: ${errorCodes(status).join(', ')}`;
}

/** PROTOCOL.md's error envelope, with the codes of one status. */
export function errorSchema(status: number): SchemaObject {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: errorCodes(status) },
          message: { type: 'string' },
        },
      },
    },
  };
}
