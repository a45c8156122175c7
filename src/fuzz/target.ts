// What a fuzz target is: a function under test with a stated contract.
// `run` feeds one input to the code under test and returns a short outcome
// label: "|"-separated features (the result kinds, the typed error codes it
// produced); the engine keeps inputs that show a feature it has not seen
// yet, a cheap stand-in for coverage feedback. Anything `run` throws is a finding: either an
// exception that escaped the code's typed error path, or a ContractViolation
// the target raised because an invariant failed.
import type { Mutator } from './mutate.js';

export interface Target {
  readonly name: string;
  /** What is called and what may come out of it; for docs/fuzzing.md and failure messages. */
  readonly contract: string;
  /** Longest input the mutators produce. */
  readonly maxLen: number;
  /** Inputs built in code, added to the checked-in fuzz/corpus/<name>/ files. */
  seeds(): Uint8Array[];
  /** Mutators on top of the byte-level ones, each with a relative weight. */
  readonly mutators: readonly (readonly [Mutator, number])[];
  /** Weight of the byte-level mutators as a whole (text targets keep it low). */
  readonly byteWeight: number;
  readonly dictionary: readonly Uint8Array[];
  /** Runs one input; throws on a contract violation; returns the outcome label. */
  run(input: Uint8Array): string;
}

/** An invariant the target checks failed (as opposed to an exception escaping the code under test). */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export function violate(message: string): never {
  throw new ContractViolation(message);
}

/** An error's class name and code, e.g. `SpaError/SPA_BAD_HMAC`: the label of a typed refusal. */
export function errorLabel(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${e.constructor.name}/${code}` : e.constructor.name;
  }
  return typeof e;
}
