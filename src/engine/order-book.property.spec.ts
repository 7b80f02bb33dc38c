import fc from 'fast-check';
import { LimitOrderBook } from './limit-order-book';
import { ReferenceOrderBook } from './reference-order-book';
import { BookAudit } from './testing/book-audit';
import { MARKET } from './testing/commands';
import { CommandMaker, Step, step } from './testing/random-commands';
import { Command, CommandResult } from './types';

const streams = fc.array(step, { minLength: 1, maxLength: 150, size: 'max' });
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

/** Drives the fast and the reference book with the same commands, checking every promise after each one. */
function runBoth(steps: Step[]): { commands: Command[]; results: CommandResult[]; fast: LimitOrderBook } {
  const fast = new LimitOrderBook(MARKET);
  const reference = new ReferenceOrderBook(MARKET);
  const maker = new CommandMaker();
  const audit = new BookAudit();
  const commands: Command[] = [];
  const results: CommandResult[] = [];
  for (const s of steps) {
    const before = fast.snapshot();
    const hashBefore = fast.stateHash();
    const command = maker.toCommand(s, fast);
    const result = fast.process(command);
    expect(result).toEqual(reference.process(command));
    expect(fast.validate()).toEqual([]);
    expect(reference.validate()).toEqual([]);
    expect(fast.stateHash()).toBe(reference.stateHash());
    expect(fast.depth()).toEqual(reference.depth());
    if (result.code !== 'OK') expect(fast.stateHash()).toBe(hashBefore);
    expect(audit.check(command, result, before, fast.snapshot())).toEqual([]);
    commands.push(command);
    results.push(result);
  }
  return { commands, results, fast };
}

describe('order books under random command streams', () => {
  it('the fast book emits exactly the reference book events, and every promise holds after every command', () => {
    fc.assert(
      fc.property(streams, (steps) => {
        runBoth(steps);
      }),
      { numRuns: RUNS },
    );
  });

  it('replaying the same commands gives the same events and the same state hash', () => {
    fc.assert(
      fc.property(streams, (steps) => {
        const { commands, results, fast } = runBoth(steps);
        const replay = new LimitOrderBook(MARKET);
        expect(commands.map((c) => replay.process(c))).toEqual(results);
        expect(replay.stateHash()).toBe(fast.stateHash());
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('a book restored from a snapshot mid-stream goes on exactly like the original', () => {
    fc.assert(
      fc.property(streams, fc.nat(), (steps, cut) => {
        const { commands } = runBoth(steps);
        const at = cut % (commands.length + 1);
        const original = new LimitOrderBook(MARKET);
        commands.slice(0, at).forEach((c) => original.process(c));
        const restored = LimitOrderBook.restore(original.snapshot());
        const restoredReference = ReferenceOrderBook.restore(original.snapshot());
        for (const c of commands.slice(at)) {
          const expected = original.process(c);
          expect(restored.process(c)).toEqual(expected);
          expect(restoredReference.process(c)).toEqual(expected);
        }
        expect(restored.stateHash()).toBe(original.stateHash());
        expect(restored.validate()).toEqual([]);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
