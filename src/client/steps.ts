// Knock steps as written on the command line, one argument each. The syntax is
// the config file's (src/config/sequence.ts: `7000`, `7000:udp`, `icmp`,
// `8000:udp:payload=knock`, `icmp:payload=0x6b6e6f636b`) plus what knock
// accepted: service names (`ssh`, `http:udp`) and -u.
import type { Step } from '../config/model.js';
import { InvalidValueError } from '../config/errors.js';
import { formatPayload, parseStep } from '../config/sequence.js';
import { KnockError } from './errors.js';
import type { ServiceLookup } from './services.js';

export interface StepOptions {
  /** knock's -u: every port step is UDP, even one written `:tcp`. */
  readonly udp: boolean;
  readonly services: ServiceLookup;
}

/** A leading service name, e.g. `ssh` in `ssh` or `http` in `http:udp`. */
const SERVICE = /^\s*([A-Za-z][A-Za-z0-9._+-]*)\s*(?=:|$)/;

/** Parses one STEP argument. */
export function parseKnockStep(arg: string, opts: StepOptions): Step {
  let text = arg;
  const name = SERVICE.exec(arg)?.[1];
  if (name !== undefined && name.toLowerCase() !== 'icmp') {
    const written = /^\s*:\s*udp\b/i.test(arg.slice(arg.indexOf(name) + name.length)) ? 'udp' : 'tcp';
    const port = opts.services(name, opts.udp ? 'udp' : written);
    if (port === undefined) {
      throw new KnockError('KNOCK_BAD_STEP',
        `"${arg}": "${name}" is neither a port number nor a known service name; expected PORT[:tcp|:udp][:payload=TEXT], a service name, or icmp[:payload=TEXT]`);
    }
    text = `${port}${arg.slice(arg.indexOf(name) + name.length)}`;
  }
  // -u: the port is UDP whatever protocol the step names (knock ignored :tcp with -u).
  if (opts.udp) text = text.replace(/^(\s*\d+)\s*(?::\s*(?:tcp|udp)\b)?/i, '$1:udp');
  try {
    return parseStep(text);
  } catch (err) {
    if (!(err instanceof InvalidValueError)) throw err;
    const quoted = `"${arg.trim()}"`;
    throw new KnockError('KNOCK_BAD_STEP', err.message.startsWith(quoted) ? err.message : `${quoted}: ${err.message}`);
  }
}

/** `tcp 127.0.0.1:7000`, as knock -v printed it, plus the payload if any. */
export function describeHit(step: Step, address: string): string {
  const where = step.proto === 'icmp' ? address : `${address}:${step.port}`;
  const payload = step.payload ? ` with payload ${formatPayload(step.payload)}` : '';
  return `${step.proto} ${where}${payload}`;
}
