/** The markets every fresh exchange starts with: firm leases everywhere, interruptible ones for some GPUs. */
export interface MarketDefinition {
  symbol: string;
  gpu: string;
  region: string;
  leaseClass: 'firm' | 'int';
  tickSize: string;
  lotSize: number;
  minDurationHours: number;
  maxDurationHours: number;
  feeBps: number;
  noticeMinutes: number;
  activationMinutes: number;
  creditBps: number;
  requireChecks: boolean;
}

/** A lease is promised active within 10 minutes of its trade; a shortfall is credited at 10% (see the README). */
export const DEFAULT_SLA = { activationMinutes: 10, creditBps: 1000, requireChecks: false };

const GPUS = ['H100-SXM', 'H200-SXM', 'B200', 'MI300X', 'A100-SXM'];
const REGIONS = ['us-east', 'us-west', 'eu-west'];
const INTERRUPTIBLE = new Set(['H100-SXM', 'A100-SXM']);

export const DEFAULT_CATALOG: MarketDefinition[] = GPUS.flatMap((gpu) =>
  REGIONS.flatMap((region) =>
    (INTERRUPTIBLE.has(gpu) ? (['firm', 'int'] as const) : (['firm'] as const)).map((leaseClass) => ({
      symbol: `${gpu}.${region}.${leaseClass}`,
      gpu,
      region,
      leaseClass,
      tickSize: '0.01',
      lotSize: 8,
      minDurationHours: 1,
      maxDurationHours: 720,
      feeBps: leaseClass === 'firm' ? 50 : 30,
      noticeMinutes: leaseClass === 'int' ? 15 : 0,
      ...DEFAULT_SLA,
    })),
  ),
);
