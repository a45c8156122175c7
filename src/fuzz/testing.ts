// Planted targets for the engine's own tests: one with a bug behind a
// three-byte input, one that loops forever on a particular input.
import { ascii, text } from './mutate.js';
import { violate, type Target } from './target.js';

function planted(name: string, run: (input: Uint8Array) => string, seeds: string[]): Target {
  return { name, contract: 'planted', maxLen: 64, seeds: () => seeds.map(ascii), mutators: [], byteWeight: 1, dictionary: ['B', 'U', 'G'].map(ascii), run };
}

/** Throws a TypeError for any input containing "BUG", and a ContractViolation for any containing "VV". */
export const buggyTarget = planted('buggy', (input) => {
  const t = text(input);
  if (t.includes('BUG')) (undefined as unknown as { x: number }).x = 1;
  if (t.includes('VV')) violate('two Vs');
  return t.length > 3 ? 'long' : 'short';
}, ['xxBUxx', 'V']);

/** Loops forever on an input starting with "H" (its seed), else returns. */
export const hangTarget = planted('hang', (input) => {
  let n = 0;
  while (input[0] === 0x48) n++;
  return String(n);
}, ['ok', 'H']);

/** Takes about `ms` on inputs starting with "S". */
export function slowTarget(ms: number): Target {
  return planted('slow', (input) => {
    if (input[0] === 0x53) {
      const end = Date.now() + ms;
      while (Date.now() < end);
    }
    return 'x';
  }, ['a', 'S']);
}
