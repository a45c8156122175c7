// The command line of `portcullis knock`, read the way knock's getopt_long
// read it: short flags bundle (-uv, -d100), long options take `=value` or the
// next argument and may be shortened while unambiguous, options may follow
// the positional arguments, and `--` ends the options.
import type { Step } from '../config/model.js';
import { KnockError } from './errors.js';
import type { Family, KnockOptions } from './knock.js';
import type { ServiceLookup } from './services.js';
import { parseKnockStep } from './steps.js';
import { secretSpec, wantsSecret, type SecretKnockSpec } from './secret-knock.js';

export const DEFAULT_VERIFY_TIMEOUT_MS = 3_000;
/** setTimeout's ceiling; longer waits would fire at once. */
const MAX_MS = 2_147_483_647;

export type KnockRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
    readonly kind: 'knock';
    readonly host: string;
    readonly steps: readonly Step[];
    readonly verbose: boolean;
    readonly options: Omit<KnockOptions, 'log'>;
  }
  | {
    /** --secret: the steps are the current window's sequence of a sequence_secret door (secret-knock.ts). */
    readonly kind: 'secret';
    readonly host: string;
    readonly secret: SecretKnockSpec;
    readonly verbose: boolean;
    readonly options: Omit<KnockOptions, 'log'>;
  };

type Name = 'udp' | 'delay' | 'ipv4' | 'ipv6' | 'verbose' | 'version' | 'help' | 'verify' | 'verify-timeout'
  | 'secret' | 'secret-file' | 'door' | 'length' | 'window' | 'ports' | 'print' | 'next';

/** Exported for src/cli/help/reference.test.ts (every option has its help). */
export const SHORT: Record<string, Name> = { u: 'udp', d: 'delay', '4': 'ipv4', '6': 'ipv6', v: 'verbose', V: 'version', h: 'help' };
export const LONG: readonly Name[] = ['udp', 'delay', 'ipv4', 'ipv6', 'verbose', 'version', 'help', 'verify', 'verify-timeout',
  'secret', 'secret-file', 'door', 'length', 'window', 'ports', 'print', 'next'];
export const TAKES_VALUE = new Set<Name>(['delay', 'verify', 'verify-timeout', 'secret', 'secret-file', 'door', 'length', 'window', 'ports']);

export function parseKnockArgs(argv: readonly string[], services: ServiceLookup): KnockRequest {
  const positional: string[] = [];
  const given = new Map<Name, string>();
  let udp = false;
  let verbose = false;
  let print = false;
  let next = false;
  let family: 0 | Family = 0;

  const apply = (name: Name, value: string | undefined): KnockRequest | undefined => {
    switch (name) {
      case 'help': return { kind: 'help' };
      case 'version': return { kind: 'version' };
      case 'udp': udp = true; break;
      case 'verbose': verbose = true; break;
      case 'print': print = true; break;
      case 'next': next = true; break;
      case 'ipv4': family = 4; break; // the last of -4/-6 wins, as in knock
      case 'ipv6': family = 6; break;
      default: given.set(name, value!);
    }
    return undefined;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const valueAfter = (spelled: string): string => {
      if (i + 1 >= argv.length) throw new KnockError('KNOCK_USAGE', `option ${spelled} needs a value`);
      return argv[++i]!;
    };
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const spelled = eq < 0 ? arg : arg.slice(0, eq);
      const name = longName(spelled.slice(2), spelled);
      if (!TAKES_VALUE.has(name) && eq >= 0) throw new KnockError('KNOCK_USAGE', `option --${name} takes no value`);
      const value = TAKES_VALUE.has(name) ? (eq >= 0 ? arg.slice(eq + 1) : valueAfter(spelled)) : undefined;
      const done = apply(name, value);
      if (done) return done;
    } else if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const name = SHORT[arg[j]!];
        if (!name) throw new KnockError('KNOCK_USAGE', `unknown option -${arg[j]}`);
        let value: string | undefined;
        if (TAKES_VALUE.has(name)) {
          value = j + 1 < arg.length ? arg.slice(j + 1) : valueAfter(`-${arg[j]}`);
          j = arg.length;
        }
        const done = apply(name, value);
        if (done) return done;
      }
    } else {
      positional.push(arg);
    }
  }

  const secretArgs = {
    secret: given.get('secret'), secretFile: given.get('secret-file'), door: given.get('door'),
    length: given.get('length'), window: given.get('window'), ports: given.get('ports'), print, next, udp,
  };
  if (wantsSecret(secretArgs)) {
    const secret = secretSpec(secretArgs);
    if (positional.length !== 1) throw new KnockError('KNOCK_USAGE', '--secret derives the steps: expected HOST alone, no STEP');
    const options: Omit<KnockOptions, 'log'> = { delayMs: delay(given.get('delay')), family, ...verifyOption(given, services) };
    return { kind: 'secret', host: positional[0]!, secret, verbose, options };
  }
  const [host, ...stepArgs] = positional;
  if (host === undefined || stepArgs.length === 0) throw new KnockError('KNOCK_USAGE', 'expected HOST and at least one STEP');
  const steps = stepArgs.map((arg) => parseKnockStep(arg, { udp, services }));
  const options: Omit<KnockOptions, 'log'> = { delayMs: delay(given.get('delay')), family, ...verifyOption(given, services) };
  return { kind: 'knock', host, steps, verbose, options };
}

function longName(text: string, spelled: string): Name {
  if ((LONG as readonly string[]).includes(text)) return text as Name;
  const matches = text === '' ? [] : LONG.filter((n) => n.startsWith(text));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new KnockError('KNOCK_USAGE', `option ${spelled} is ambiguous: --${matches.join(', --')}`);
  throw new KnockError('KNOCK_USAGE', `unknown option ${spelled}`);
}

function delay(text: string | undefined): number {
  if (text === undefined) return 0;
  if (/^-\d+$/.test(text.trim())) throw new KnockError('KNOCK_USAGE', 'delay cannot be negative');
  return milliseconds(text, 'delay', 0);
}

function verifyOption(given: ReadonlyMap<Name, string>, services: ServiceLookup): Pick<KnockOptions, 'verify'> {
  const portText = given.get('verify');
  const timeoutText = given.get('verify-timeout');
  if (portText === undefined) {
    if (timeoutText !== undefined) throw new KnockError('KNOCK_USAGE', '--verify-timeout needs --verify PORT');
    return {};
  }
  const timeoutMs = timeoutText === undefined ? DEFAULT_VERIFY_TIMEOUT_MS : milliseconds(timeoutText, 'verify timeout', 1);
  return { verify: { port: verifyPort(portText, services), timeoutMs } };
}

function verifyPort(text: string, services: ServiceLookup): number {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port >= 1 && port <= 65535) return port;
  } else {
    const port = text === '' ? undefined : services(text, 'tcp');
    if (port !== undefined) return port;
  }
  throw new KnockError('KNOCK_USAGE', `--verify "${text}" is not a TCP port; expected 1-65535 or a service name`);
}

function milliseconds(text: string, what: string, min: number): number {
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(ms) && ms >= min && ms <= MAX_MS) return ms;
  throw new KnockError('KNOCK_USAGE', `${what} "${text}" is not a whole number of milliseconds from ${min} to ${MAX_MS}`);
}
