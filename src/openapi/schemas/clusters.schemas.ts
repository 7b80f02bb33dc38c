import type { SchemasObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { listOf, ref } from '../../common/api-responses';
import {
  BOOLEAN,
  CLUSTER_STATUS,
  COUNT,
  DEGRADED_CAUSE,
  described,
  ID,
  INTEGER,
  LEASE_STATUS,
  nullable,
  object,
  oneOf,
  TEXT,
  TIME,
  WEBHOOK_TYPE,
} from './wire-types';

const CLUSTER = {
  id: ID,
  accountId: ID,
  name: TEXT,
  gpu: TEXT,
  region: TEXT,
  gpuCount: COUNT,
  webhookUrl: TEXT,
  createdAt: TIME,
  status: described(CLUSTER_STATUS, 'degraded: it takes no new sell orders'),
  degradedAt: nullable(TIME),
  degradedReason: nullable(TEXT),
  degradedCause: nullable(DEGRADED_CAUSE),
  inventory: ref('ClusterInventory'),
};

/** Sellers' clusters, the provisioning hook's records, and what clusters are told (src/clusters, src/provisioning). */
export const CLUSTER_SCHEMAS: SchemasObject = {
  ClusterInventory: {
    ...object({
      gpus: COUNT,
      offerable: described(COUNT, 'GPUs the seller can have offered plus leased here'),
      nodes: listOf(
        object({ name: TEXT, gpus: COUNT, gpusUsed: COUNT, state: TEXT, usable: BOOLEAN }, ['gpusUsed']),
      ),
      drift: INTEGER,
      reportedAt: TIME,
    }),
    nullable: true,
    description: "what the cluster's agent last reported (null: it never did)",
  },
  Cluster: object(CLUSTER),
  CreatedCluster: object({ ...CLUSTER, webhookSecret: described(TEXT, 'shown once: whsec_<base64>') }),
  InventoryAnswer: object({
    clusterId: ID,
    gpuCount: COUNT,
    status: CLUSTER_STATUS,
    degradedCause: nullable(DEGRADED_CAUSE),
    inventory: ref('ClusterInventory'),
  }),
  CallbackAnswer: object({
    leaseId: ID,
    status: LEASE_STATUS,
  }),
  Delivery: object({
    id: ID,
    leaseId: ID,
    type: WEBHOOK_TYPE,
    status: oneOf('pending', 'delivered', 'abandoned'),
    attempts: COUNT,
    nextAttemptAt: nullable(TIME),
    responseStatus: nullable(INTEGER),
    lastError: nullable(TEXT),
    createdAt: TIME,
  }),
  DeliveryBacklog: object({
    clusterId: ID,
    type: WEBHOOK_TYPE,
    pending: COUNT,
    oldest: TIME,
  }),
};
