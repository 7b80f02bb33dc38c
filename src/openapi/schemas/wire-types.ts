import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Schema } from '../../common/api-responses';
import { PRICE_PATTERN } from '../../common/money';

/** The wire's units (PROTOCOL.md, Units): decimal strings for money and prices, integers for counts. */
export const PRICE: SchemaObject = {
  type: 'string',
  pattern: PRICE_PATTERN,
  description: 'USD per GPU-hour, a decimal string',
  example: '2.15',
};
export const MONEY: SchemaObject = {
  type: 'string',
  pattern: '^-?[0-9]+(\\.[0-9]+)?$',
  description: 'USD, a decimal string',
  example: '1032.5',
};
/** GPU-hours, which may be fractional (a lease ended early). */
export const GPU_HOURS: SchemaObject = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$', example: '191.5' };
export const TIME: SchemaObject = { type: 'string', format: 'date-time' };
export const ID: SchemaObject = { type: 'string' };
export const TEXT: SchemaObject = { type: 'string' };
export const BOOLEAN: SchemaObject = { type: 'boolean' };
export const COUNT: SchemaObject = { type: 'integer', minimum: 0 };
export const INTEGER: SchemaObject = { type: 'integer' };

/** OpenAPI 3.0's nullable; an enum lists null too, or null would be outside it. */
export const nullable = (schema: SchemaObject): SchemaObject => ({
  ...schema,
  nullable: true,
  ...(schema.enum ? { enum: [...schema.enum, null] } : {}),
});
export const oneOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });
export const described = (schema: SchemaObject, description: string): SchemaObject => ({
  ...schema,
  description,
});

/** A closed object: every property listed is present unless named optional, and no other appears. */
export function object(properties: Record<string, Schema>, optional: string[] = []): SchemaObject {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
  };
}

/** The domain's closed sets, as several schemas show them. */
export const LEASE_STATUS = oneOf(
  'provisioning',
  'verifying',
  'active',
  'ended',
  'released',
  'interrupted',
  'failed',
);
export const CLUSTER_STATUS = oneOf('active', 'degraded');
export const DEGRADED_CAUSE = oneOf('unresponsive', 'failed_checks');
export const WEBHOOK_TYPE = oneOf('lease.provision', 'lease.deprovision', 'lease.interrupt');

/** An object whose figures are the sender's own (a cluster's access details, its check report). */
export const OPEN_OBJECT: SchemaObject = { type: 'object', additionalProperties: true };
