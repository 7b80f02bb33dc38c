import * as hdr from 'hdr-histogram-js';
import { Contender, Tally, ours, peer } from './contenders';
import { measureCapacity } from './capacity';
import { Workload, cancelHeavy, deep, insertOnly, mixed } from './workloads';

/**
 * `npm run bench:engine [-- --json] [--runs N] [--quick] [--only name]`
 *
 * Runs each seeded workload through our engine and through nodejs-order-book in one process: one warm-up run,
 * N untimed-per-op runs (ops/s is their median), then N runs timing every operation alone (each percentile is
 * the median over those runs; they also count trades and traded GPUs, which must match between the engines).
 */
interface Options {
  json: boolean;
  runs: number;
  quick: boolean;
  only: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { json: false, runs: 5, quick: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--runs') options.runs = Math.max(1, Number(argv[++i]));
    else if (arg === '--only') options.only = argv[++i];
    else if (arg === '--help') {
      console.log(
        'usage: bench:engine [--json] [--runs N (default 5)] [--quick] [--only mixed|mixed-wide|insert-only|cancel-heavy|deep]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

interface Figures extends Tally {
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  runsOpsPerSec: number[];
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];

function measure(contender: Contender, workload: Workload, runs: number): Figures {
  const n = workload.ops.length;
  contender.prepare(workload).runAll(); // warm-up: lets the JIT settle on this workload's shapes
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const prepared = contender.prepare(workload);
    gc();
    const t0 = performance.now();
    prepared.runAll();
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  // Latency percentiles are the median, over as many runs, of each run's percentile: one run alone is at the
  // mercy of whatever else this shared machine is doing.
  const percentiles: Record<'p50' | 'p99' | 'p999' | 'max', number[]> = {
    p50: [],
    p99: [],
    p999: [],
    max: [],
  };
  let tally: Tally = { trades: 0, traded: 0 };
  for (let r = 0; r < runs; r++) {
    const prepared = contender.prepare(workload);
    const latencies = new Float64Array(n);
    gc();
    tally = prepared.runTimed(latencies);
    const histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 1e10,
      numberOfSignificantValueDigits: 3,
    });
    for (let i = 0; i < n; i++) histogram.recordValue(Math.max(1, Math.round(latencies[i])));
    percentiles.p50.push(histogram.getValueAtPercentile(50));
    percentiles.p99.push(histogram.getValueAtPercentile(99));
    percentiles.p999.push(histogram.getValueAtPercentile(99.9));
    percentiles.max.push(histogram.maxValue);
    histogram.destroy();
  }
  const us = (values: number[]): number => round(median(values) / 1000);
  return {
    opsPerSec: Math.round(median(rates)),
    p50Us: us(percentiles.p50),
    p99Us: us(percentiles.p99),
    p999Us: us(percentiles.p999),
    maxUs: us(percentiles.max),
    ...tally,
    runsOpsPerSec: rates.map(Math.round),
  };
}

/** What one timer read costs, so per-op latencies can be judged (it is included in every sample). */
function timerOverheadNs(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = performance.now();
    samples[i] = (performance.now() - t0) * 1e6;
  }
  return Math.round([...samples].sort((a, b) => a - b)[samples.length >> 1]);
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const scale = options.quick ? 0.1 : 1;
  const workloads = [
    () => mixed(1, 400_000 * scale),
    () => mixed(1, 400_000 * scale, 1000),
    () => insertOnly(2, 300_000 * scale),
    () => cancelHeavy(3, 300_000 * scale),
    () => deep(4, 50_000 * scale),
  ];
  const log = (line: string): void => {
    if (!options.json) console.log(line);
  };
  if (!(globalThis as { gc?: unknown }).gc) log('(run node with --expose-gc for steadier figures)');
  const results = [];
  for (const make of workloads) {
    const workload = make();
    if (options.only && workload.name !== options.only) continue;
    log(`\n${workload.name}: ${workload.description}; ${workload.ops.length} ops, ${options.runs} runs`);
    const figures = {
      ours: measure(ours, workload, options.runs),
      peer: measure(peer, workload, options.runs),
    };
    const ratio = round(figures.ours.opsPerSec / figures.peer.opsPerSec, 2);
    for (const [name, f] of Object.entries(figures)) {
      log(
        `  ${name.padEnd(5)} ${String(f.opsPerSec).padStart(10)} ops/s  p50 ${f.p50Us} us  p99 ${f.p99Us} us  ` +
          `p99.9 ${f.p999Us} us  max ${f.maxUs} us  trades ${f.trades}  GPUs traded ${f.traded}`,
      );
    }
    log(
      `  ratio ours/peer: ${ratio}x${figures.ours.traded === figures.peer.traded ? '' : '  (TRADED GPUs DIFFER)'}`,
    );
    results.push({ name: workload.name, ops: workload.ops.length, ...figures, ratio });
  }
  const capacity = options.only ? null : measureCapacity(options.quick ? 100_000 : 1_000_000, log);
  if (capacity && !capacity.restoredHashMatches) process.exitCode = 1;
  const report = { workloads: results, capacity, timerOverheadNs: timerOverheadNs(), node: process.version };
  if (options.json) console.log(JSON.stringify(report));
  else log(`\ntimer overhead per sample: ${report.timerOverheadNs} ns (included in the latencies)`);
}

main();
