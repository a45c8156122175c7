// Runs one door command and logs it the way knockd's exec_cmd does
// (knockd.md §4): "%s: running command: %s" before, and
// "%s: command returned non-zero status code (%d)" after a failure.
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { CommandOutcome, CommandRunner } from './runner.js';

export interface DoorCommand {
  readonly door: string;
  readonly ip: string;
  /** The command text with its substitutions made. */
  readonly command: string;
}

// Enough of a failing command's output to see why (e.g. "iptables: Bad rule").
const OUTPUT_IN_LOG = 300;

export async function runLogged(runner: CommandRunner, log: Logger, job: DoorCommand, timeoutMs: number): Promise<CommandOutcome> {
  const { door, ip, command } = job;
  log.info(`${door}: running command: ${command}`, ev('command.run', { ip, door, command }));
  const outcome = await runner.run(command, timeoutMs);
  const fields = { ip, door, command, durationMs: outcome.durationMs, output: outcome.output };
  if (outcome.error !== undefined) {
    log.error(`${door}: command did not run: ${outcome.error}`, ev('command.error', { ...fields, error: outcome.error }));
  } else if (outcome.timedOut) {
    log.warn(`${door}: command did not finish within ${timeoutMs / 1000} s and was killed`, ev('command.fail', fields));
  } else if (outcome.signal !== null) {
    log.warn(`${door}: command killed by signal ${outcome.signal}`, ev('command.fail', { ...fields, signal: outcome.signal }));
  } else if (outcome.exitCode !== 0) {
    log.warn(`${door}: command returned non-zero status code (${outcome.exitCode})`, ev('command.fail', { ...fields, exitCode: outcome.exitCode }));
  } else {
    log.debug(`${door}: command finished in ${outcome.durationMs} ms`, ev('command.done', fields));
    return outcome;
  }
  const output = outcome.output.trim();
  if (output !== '') log.info(`${door}: command output: ${output.slice(-OUTPUT_IN_LOG)}`, ev('command.output', { ip, door }));
  return outcome;
}
