import type { SchemaObject, SchemasObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { listOf } from '../../common/api-responses';
import {
  BOOLEAN,
  CLUSTER_STATUS,
  COUNT,
  described,
  GPU_HOURS,
  ID,
  INTEGER,
  MONEY,
  nullable,
  object,
  oneOf,
  OPEN_OBJECT,
  TEXT,
  TIME,
} from './wire-types';

const DELIVERY_RECORD: Record<string, SchemaObject> = {
  leases: COUNT,
  delivered: described(COUNT, 'reached active and ran to their end or the buyer\u2019s release'),
  active: COUNT,
  failed: described(COUNT, 'never reached active'),
  interrupted: COUNT,
  lost: described(COUNT, 'ended early because the cluster lost the GPUs'),
  credited: described(COUNT, 'leases whose buyer was paid an SLA credit'),
  creditsPaid: MONEY,
  verified: COUNT,
  unverified: COUNT,
  onTimeActivationPct: nullable({ type: 'number', minimum: 0, maximum: 100 }),
  medianSecondsToActive: nullable({ type: 'number', minimum: 0 }),
  gpuHoursDelivered: GPU_HOURS,
};

/** Sellers' delivery records, the outbox's events, health and the test clock. */
export const OPERATIONS_SCHEMAS: SchemasObject = {
  SellerReliability: object({
    sellerId: ID,
    asOf: TIME,
    ...DELIVERY_RECORD,
    clusters: listOf(
      object({
        clusterId: ID,
        name: TEXT,
        gpu: TEXT,
        region: TEXT,
        status: CLUSTER_STATUS,
        ...DELIVERY_RECORD,
      }),
    ),
  }),
  MarketReliability: object({
    symbol: TEXT,
    asOf: TIME,
    ...DELIVERY_RECORD,
    sellers: listOf(object({ sellerId: ID, ...DELIVERY_RECORD })),
  }),
  OutboxEvent: object({
    seq: INTEGER,
    topic: TEXT,
    key: TEXT,
    published: BOOLEAN,
    event: object({
      id: ID,
      type: TEXT,
      version: INTEGER,
      occurredAt: TIME,
      data: described(OPEN_OBJECT, "the ids a consumer needs (PROTOCOL.md's settlement events)"),
    }),
  }),
  OutboxLag: object({
    pending: COUNT,
    oldestAgeMs: nullable(COUNT),
    publishedSinceStart: COUNT,
  }),
  Health: object({ status: oneOf('ok') }),
  Ready: object(
    {
      status: oneOf('ready', 'starting', 'catching up'),
      role: oneOf('leader', 'follower'),
      epoch: INTEGER,
      lagMs: COUNT,
      leader: nullable(described(TEXT, "followers: the leader's address")),
      database: oneOf('up'),
      eventBus: oneOf('kafka', 'in-process'),
    },
    ['leader'],
  ),
  ClockNow: object({ now: TIME }),
};
