import type { SchemasObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ACCOUNT_SCHEMAS } from './accounts.schemas';
import { CLUSTER_SCHEMAS } from './clusters.schemas';
import { MARKET_SCHEMAS } from './markets.schemas';
import { OPERATIONS_SCHEMAS } from './operations.schemas';
import { TRADING_SCHEMAS } from './trading.schemas';

/** Every named response schema, referenced by the routes' `ApiAnswer` decorators. */
export const RESPONSE_SCHEMAS: SchemasObject = {
  ...ACCOUNT_SCHEMAS,
  ...MARKET_SCHEMAS,
  ...TRADING_SCHEMAS,
  ...CLUSTER_SCHEMAS,
  ...OPERATIONS_SCHEMAS,
};
