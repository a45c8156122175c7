// A CommandRunner for tests: records every command, answers with scripted
// outcomes, and can hold commands "running" until the test releases them.
import type { CommandOutcome, CommandRunner, ExecSpec } from './runner.js';

const SUCCESS: CommandOutcome = { exitCode: 0, signal: null, timedOut: false, durationMs: 0, output: '' };

export class RecordingRunner implements CommandRunner {
  /** Every command run() was called with, in order. */
  readonly commands: string[] = [];
  /** The time limit passed with each command. */
  readonly timeouts: number[] = [];
  /** Every exec() spec, in order (exec runs are recorded here, not in `commands`). */
  readonly execs: ExecSpec[] = [];
  private readonly scripted: Partial<CommandOutcome>[] = [];
  private respond: (command: string) => Partial<CommandOutcome> = () => ({});
  private holding = false;
  private readonly held: Array<() => void> = [];
  private inFlight = 0;

  /** Outcomes for the next runs, in order; after they are used up, runs succeed (or use respondWith's function). */
  script(...outcomes: Partial<CommandOutcome>[]): this {
    this.scripted.push(...outcomes);
    return this;
  }

  /** Computes the outcome from the command text when nothing is scripted. */
  respondWith(fn: (command: string) => Partial<CommandOutcome>): this {
    this.respond = fn;
    return this;
  }

  /** From now on, runs do not finish until release(). */
  hold(): void {
    this.holding = true;
  }

  /** Finishes every held run and stops holding. */
  release(): void {
    this.holding = false;
    for (const finish of this.held.splice(0)) finish();
  }

  /** Runs started and not yet finished. */
  get running(): number {
    return this.inFlight;
  }

  run(command: string, timeoutMs: number): Promise<CommandOutcome> {
    this.commands.push(command);
    this.timeouts.push(timeoutMs);
    return this.finish({ ...SUCCESS, ...(this.scripted.shift() ?? this.respond(command)) });
  }

  /** Like run(); respondWith's function gets the argv joined by spaces. */
  exec(spec: ExecSpec): Promise<CommandOutcome> {
    this.execs.push(spec);
    return this.finish({ ...SUCCESS, ...(this.scripted.shift() ?? this.respond(spec.argv.join(' '))) });
  }

  private finish(outcome: CommandOutcome): Promise<CommandOutcome> {
    this.inFlight++;
    return new Promise((resolve) => {
      const finish = (): void => { this.inFlight--; resolve(outcome); };
      if (this.holding) this.held.push(finish);
      else queueMicrotask(finish);
    });
  }
}
