import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export type Role = 'leader' | 'follower';

/** Who holds the leader lease now, as the database says. */
export interface LeaseHolder {
  nodeId: string | null;
  address: string | null;
  epoch: number;
  expired: boolean;
}

/** The lease row (table `exchange_leader`), in database time. */
export interface LeaseStore {
  /**
   * Takes or renews the lease for `leaseMs` if this node holds it, or it has expired (or, with `steal`, always),
   * and answers the epoch it holds it at; null when another node holds it.
   */
  campaign(nodeId: string, address: string | null, leaseMs: number, steal: boolean): Promise<number | null>;
  /** Lets the lease go at once (a clean shutdown), if this node holds it. */
  release(nodeId: string): Promise<void>;
  holder(): Promise<LeaseHolder>;
}

/** How current a follower's copy of the leader's committed stream is. */
export interface ReplicaStatus {
  /** Caught up: market data and private channels can be served from it. */
  readonly current: boolean;
  /** Since the last message (or heartbeat) of the leader's stream; null before the first. */
  readonly lagMs: number | null;
}

export interface ElectionSettings {
  leaseMs: number;
  /** How often the leader renews and followers try. */
  heartbeatMs: number;
  /** One node on an embedded database: it takes the lease whoever held it (nothing else can reach that database). */
  steal: boolean;
}

/**
 * Leader election through PostgreSQL. Every node campaigns each heartbeat: the leader renews its lease, a
 * follower takes the lease once it has expired, and with it a new epoch (which fences the old leader's writes,
 * see `leader_is`). Callbacks given to `lead` run once this node becomes leader. A leader that learns it lost the
 * lease (a campaign finds another holder, or a batch is fenced) is deposed: `deposed` is called (the process
 * exits, and its supervisor starts it again as a follower). While the database is unreachable it learns nothing
 * and writes nothing, so it waits.
 */
export class LeaderElection {
  private readonly logger = new Logger(LeaderElection.name);
  readonly nodeId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private currentRole: Role = 'follower';
  private currentEpoch = 0;
  private timer: NodeJS.Timeout | null = null;
  private campaigning = false;
  private stopped = false;
  private started = false;
  private readonly onLeading: (() => Promise<void>)[] = [];
  address: string | null = null;
  /** A follower's copy of the leader's committed stream (see Replica); none until the replica starts. */
  replica: ReplicaStatus = { current: false, lagMs: null };
  /** On a follower: the leader as the last heartbeat found it (null while no node holds a live lease). */
  private knownLeader: LeaseHolder | null = null;

  constructor(
    private readonly store: LeaseStore,
    private readonly settings: ElectionSettings,
    private readonly deposed: (reason: string) => void,
  ) {}

  get role(): Role {
    return this.currentRole;
  }

  get isLeader(): boolean {
    return this.currentRole === 'leader';
  }

  /** Leading, and every leader's part has started (the state is loaded): commands are committed here. */
  get writing(): boolean {
    return this.isLeader && this.started;
  }

  /** Clients may be served: this node writes, or it follows a leader and its copy of the stream is current. */
  get serving(): boolean {
    return this.writing || (!this.isLeader && this.replica.current);
  }

  /** The epoch this node leads at (0 while it is a follower). */
  get epoch(): number {
    return this.currentRole === 'leader' ? this.currentEpoch : 0;
  }

  /** Where a follower sends commands, and which epoch that leader leads at; null during a failover. */
  get leader(): { address: string; epoch: number } | null {
    if (this.isLeader || !this.knownLeader) return null;
    return { address: this.knownLeader.address as string, epoch: this.knownLeader.epoch };
  }

  /** Runs `start` now if this node leads, or once it becomes leader (each callback once, in order). */
  async lead(start: () => Promise<void>): Promise<void> {
    this.onLeading.push(start);
    if (this.isLeader) await start();
  }

  /** The first campaign (awaited, so a node that leads at boot starts as leader), then one every heartbeat. */
  async start(): Promise<void> {
    await this.campaign();
    this.timer = setInterval(() => void this.campaign(), this.settings.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.isLeader) await this.store.release(this.nodeId).catch(() => {});
  }

  holder(): Promise<LeaseHolder> {
    return this.store.holder();
  }

  /** Called by the store when a batch was refused for a stale epoch: another node leads. */
  fenced(): void {
    this.depose('a batch was fenced: another node took over as leader');
  }

  private async campaign(): Promise<void> {
    if (this.campaigning || this.stopped) return;
    this.campaigning = true;
    try {
      const epoch = await this.store.campaign(
        this.nodeId,
        this.address,
        this.settings.leaseMs,
        this.settings.steal,
      );
      if (epoch === null) {
        if (this.isLeader) this.depose('another node holds the leader lease');
        const holder = await this.store.holder();
        this.knownLeader = holder.expired || !holder.address ? null : holder;
        return;
      }
      // Not awaited: the parts start (a load can outlast the lease) while the next heartbeats renew it.
      if (!this.isLeader) void this.become(epoch);
    } catch {
      // The database is unreachable: nothing can be written meanwhile (every batch is fenced), so the leader
      // carries on; once the database answers, it renews, or learns that another node took over and steps down.
    } finally {
      this.campaigning = false;
    }
  }

  private async become(epoch: number): Promise<void> {
    this.currentRole = 'leader';
    this.currentEpoch = epoch;
    this.logger.log(`leading at epoch ${epoch} (node ${this.nodeId})`);
    const began = performance.now();
    try {
      for (const start of this.onLeading) await start();
    } catch (error) {
      this.depose(`cannot start as leader: ${error instanceof Error ? error.message : error}`);
      return;
    }
    this.started = true;
    if (this.onLeading.length > 0)
      this.logger.log(
        `serving as leader, ${Math.round(performance.now() - began)} ms after taking the lease`,
      );
  }

  private depose(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.currentRole = 'follower';
    this.logger.error(`stepping down: ${reason}`);
    this.deposed(reason);
  }
}
