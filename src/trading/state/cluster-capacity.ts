import type { ClusterTerms } from '../types';

/**
 * The GPUs each cluster has committed: offered in open sells or leased. A cluster never has more committed than
 * its `gpuCount` (INSUFFICIENT_CAPACITY).
 */
export class ClusterCapacity {
  constructor(private readonly clusters: Map<string, { gpuCount: number; committed: number }>) {}

  /** GPUs of this cluster not offered or leased. */
  free(cluster: ClusterTerms): number {
    return cluster.gpuCount - this.committedOf(cluster.id);
  }

  /** GPUs free on a cluster the core already knows (an open sell's), or 0. */
  freeOn(clusterId: string): number {
    const entry = this.clusters.get(clusterId);
    return entry ? entry.gpuCount - entry.committed : 0;
  }

  committedOf(clusterId: string): number {
    return this.clusters.get(clusterId)?.committed ?? 0;
  }

  /** Remembers a cluster's size (from the sell order that named it). */
  learn(cluster: ClusterTerms): void {
    const entry = this.clusters.get(cluster.id);
    if (entry) entry.gpuCount = cluster.gpuCount;
    else this.clusters.set(cluster.id, { gpuCount: cluster.gpuCount, committed: 0 });
  }

  /** GPUs that become (or, negative, stop being) committed. */
  commit(clusterId: string, gpus: number): void {
    const entry = this.clusters.get(clusterId);
    if (entry) entry.committed += gpus;
    else this.clusters.set(clusterId, { gpuCount: 0, committed: gpus });
  }

  /** Clusters with GPUs committed, sorted (for the state hash). */
  entries(): [string, number][] {
    return [...this.clusters]
      .filter(([, { committed }]) => committed !== 0)
      .map(([id, { committed }]): [string, number] => [id, committed])
      .sort(([a], [b]) => (a < b ? -1 : 1));
  }
}
