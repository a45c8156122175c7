// `portcullis knock --secret`: the current window's sequence of a
// sequence_secret door (src/door/secret-sequence.ts), from the same
// parameters as the door's keys, validated with the same limits (so the
// client refuses what the server's config would refuse).
import type { SecretSequence, Step } from '../config/model.js';
import { InvalidValueError } from '../config/errors.js';
import {
  MAX_SEQUENCE_LENGTH, MAX_WINDOW_SECONDS, MIN_SEQUENCE_BITS, MIN_WINDOW_SECONDS, SECRET_SEQUENCE_DEFAULTS,
  parseSequencePorts, parseSequenceSecret, sequenceBits,
} from '../config/secret-sequence.js';
import { parseCount } from '../config/values.js';
import { deriveSequence, windowIndex } from '../door/secret-sequence.js';
import { KnockError } from './errors.js';

/** Where the secret comes from: the command line (visible in `ps`) or a file. */
export type SecretSource = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'file'; readonly path: string };

export interface SecretKnockSpec {
  readonly door: string;
  readonly secret: SecretSource;
  readonly length: number;
  readonly windowSeconds: number;
  readonly ports: { readonly from: number; readonly to: number };
  readonly proto: 'tcp' | 'udp';
  /** --print: write the sequence, send nothing. */
  readonly print: boolean;
  /** --next: the next window's sequence (the door accepts it too), to knock again when the current one is used. */
  readonly next: boolean;
}

/** The values of --secret, --secret-file, --door, --length, --window, --ports (undefined: not given). */
export interface SecretArgs {
  readonly secret?: string;
  readonly secretFile?: string;
  readonly door?: string;
  readonly length?: string;
  readonly window?: string;
  readonly ports?: string;
  readonly print: boolean;
  readonly next: boolean;
  readonly udp: boolean;
}

/** Whether any option of secret mode was given. */
export function wantsSecret(a: SecretArgs): boolean {
  return a.secret !== undefined || a.secretFile !== undefined || a.door !== undefined || a.length !== undefined
    || a.window !== undefined || a.ports !== undefined || a.print || a.next;
}

export function secretSpec(a: SecretArgs): SecretKnockSpec {
  if ((a.secret === undefined) === (a.secretFile === undefined)) {
    throw new KnockError('KNOCK_USAGE', a.secret === undefined
      ? '--door, --length, --window, --ports, --next and --print need --secret BASE64 or --secret-file FILE'
      : 'give --secret or --secret-file, not both');
  }
  if (a.door === undefined || a.door === '') {
    throw new KnockError('KNOCK_USAGE', '--secret needs --door NAME: the door\'s section name, which the sequence is derived from');
  }
  const length = usage(() => (a.length === undefined ? SECRET_SEQUENCE_DEFAULTS.length : parseCount(a.length, 2, MAX_SEQUENCE_LENGTH)), '--length');
  const windowSeconds = usage(() => (a.window === undefined ? SECRET_SEQUENCE_DEFAULTS.windowSeconds : parseCount(a.window, MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS)), '--window');
  const ports = usage(() => (a.ports === undefined ? SECRET_SEQUENCE_DEFAULTS.ports : parseSequencePorts(a.ports)), '--ports');
  const bits = sequenceBits(length, ports.to - ports.from + 1);
  if (!(bits >= MIN_SEQUENCE_BITS)) {
    throw new KnockError('KNOCK_USAGE', `${length} ports from ${ports.from}-${ports.to} give fewer than ${MIN_SEQUENCE_BITS} bits; a sequence_secret door cannot have them (check --length and --ports against the door)`);
  }
  const secret: SecretSource = a.secret !== undefined ? { kind: 'text', text: a.secret } : { kind: 'file', path: a.secretFile! };
  return { door: a.door, secret, length, windowSeconds, ports, proto: a.udp ? 'udp' : 'tcp', print: a.print, next: a.next };
}

/** The secret's bytes from its base64 text (a file's content may end with a newline). */
export function decodeSecret(text: string): Uint8Array {
  return usage(() => parseSequenceSecret(text.trim()), 'the secret');
}

/** The window of `nowMs` (or the next, with --next) and its steps. */
export function currentSteps(spec: SecretKnockSpec, secret: Uint8Array, nowMs: number): { window: number; steps: Step[] } {
  const s: SecretSequence = { secret, length: spec.length, windowSeconds: spec.windowSeconds, ports: spec.ports, proto: spec.proto };
  const window = windowIndex(nowMs, spec.windowSeconds) + (spec.next ? 1 : 0);
  return { window, steps: deriveSequence(s, spec.door, window).map((port) => ({ proto: spec.proto, port })) };
}

function usage<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidValueError) throw new KnockError('KNOCK_USAGE', `${what}: ${e.message}`);
    throw e;
  }
}
