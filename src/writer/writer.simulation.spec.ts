import { Simulation } from './testing/simulation';

/**
 * The deterministic simulation (src/writer/testing/simulation.ts). `npm test` runs a few seeds for a bounded
 * number of steps; `SIMULATION_SEEDS=50 SIMULATION_STEPS=2000 npx jest writer.simulation` runs longer, and
 * `SIMULATION_SEED=<n>` replays one seed. A failure names its seed and step.
 */
const steps = Number(process.env.SIMULATION_STEPS ?? 150);
const seeds = process.env.SIMULATION_SEED
  ? [Number(process.env.SIMULATION_SEED)]
  : Array.from({ length: Number(process.env.SIMULATION_SEEDS ?? 4) }, (_, i) => 1 + i * 7919);

describe('the writer under a deterministic simulation of hostile accounts and a faulty database', () => {
  it.each(seeds)(
    'seed %i: every invariant holds after every step',
    async (seed) => {
      const simulation = new Simulation(seed);
      await simulation.run(steps);
      if (process.env.SIMULATION_STATS) console.log(`seed ${seed}: ${JSON.stringify(simulation.stats())}`);
      if (simulation.failures.length > 0)
        console.error(`simulation failed; replay with SIMULATION_SEED=${seed}`);
      expect(simulation.failures).toEqual([]);
    },
    120_000,
  );

  it('is deterministic: the same seed gives the same run', async () => {
    const runs = [new Simulation(42), new Simulation(42)];
    for (const run of runs) await run.run(40);
    expect(runs[0].digest()).toEqual(runs[1].digest());
  });
});
