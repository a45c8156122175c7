// Sends a knock sequence: resolve HOST once, hit each step in order with an
// optional pause after each hit (knock's -d), then optionally check that the
// door opened (--verify) and knock once more if it did not.
//
// All I/O goes through KnockIO: net-io.ts is the real one, recording-io.ts
// the double the tests use.
import type { Step } from '../config/model.js';
import { KnockError } from './errors.js';
import { MAX_ICMP_PAYLOAD } from './ping.js';
import { describeHit } from './steps.js';

export type Family = 4 | 6;

export interface Resolved {
  readonly address: string;
  readonly family: Family;
}

export interface KnockIO {
  /** Resolves HOST to one address (a literal resolves to itself); family 0 = whichever comes first. Rejects if it cannot. */
  resolve(host: string, family: 0 | Family): Promise<Resolved>;
  /** Sends exactly one SYN to the port and gives up the connection; never waits for the handshake. */
  sendTcp(to: Resolved, port: number): Promise<void>;
  /** Sends one datagram carrying `payload`. */
  sendUdp(to: Resolved, port: number, payload: Uint8Array): Promise<void>;
  /** Sends one ICMP echo request whose data contains `payload` (if given). */
  sendIcmp(to: Resolved, payload: Uint8Array | undefined): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Tries to open a TCP connection (retrying refusals) until timeoutMs passes; resolves whether one opened. */
  connect(to: Resolved, port: number, timeoutMs: number): Promise<boolean>;
}

export interface KnockOptions {
  /** Pause after each hit, including the last (knock's -d). */
  readonly delayMs: number;
  /** 0 = any (knock's default), 4 or 6 = -4 / -6. */
  readonly family: 0 | Family;
  /** After the sequence, expect this TCP port to accept a connection. */
  readonly verify?: { readonly port: number; readonly timeoutMs: number };
  /** Progress lines (`hitting tcp 1.2.3.4:7000`), for -v. */
  readonly log?: (line: string) => void;
}

export interface KnockResult {
  /** 0 sent (and verified, with --verify); 1 could not resolve or send; 3 --verify found the port closed. */
  readonly exitCode: 0 | 1 | 3;
  readonly address?: string;
  /** How many times the whole sequence was sent. */
  readonly rounds: number;
  readonly error?: KnockError;
}

/** A sequence with --verify is sent at most this often. */
const MAX_ROUNDS = 2;

const UDP_DEFAULT_PAYLOAD = Uint8Array.of(0); // knock sent one zero byte

export async function knock(host: string, steps: readonly Step[], opts: KnockOptions, io: KnockIO): Promise<KnockResult> {
  const log = opts.log ?? (() => {});
  let to: Resolved;
  let rounds = 0;
  try {
    checkSteps(steps);
    to = await resolve(host, opts.family, io);
    for (;;) {
      rounds++;
      for (const [i, step] of steps.entries()) {
        log(`hitting ${describeHit(step, to.address)}`);
        await hit(step, i, to, io);
        if (opts.delayMs > 0) await io.sleep(opts.delayMs);
      }
      if (!opts.verify) return { exitCode: 0, address: to.address, rounds };
      const { port, timeoutMs } = opts.verify;
      const where = to.family === 6 ? `[${to.address}]:${port}` : `${to.address}:${port}`;
      log(`verifying tcp ${where}`);
      if (await io.connect(to, port, timeoutMs)) {
        log(`${where} is open`);
        return { exitCode: 0, address: to.address, rounds };
      }
      if (rounds >= MAX_ROUNDS) {
        const error = new KnockError('KNOCK_NOT_OPEN',
          `${where} did not accept a TCP connection within ${timeoutMs} ms, after the sequence was sent ${rounds} times`);
        return { exitCode: 3, address: to.address, rounds, error };
      }
      log(`${where} is not open; knocking again`);
    }
  } catch (e) {
    if (!(e instanceof KnockError)) throw e;
    return { exitCode: 1, rounds, error: e };
  }
}

/** Refuses what cannot be sent before anything is, so a bad step never leaves half a sequence. */
function checkSteps(steps: readonly Step[]): void {
  if (steps.length === 0) throw new KnockError('KNOCK_USAGE', 'no steps to knock');
  for (const step of steps) {
    if (step.proto === 'icmp' && step.payload && step.payload.length > MAX_ICMP_PAYLOAD) {
      throw new KnockError('KNOCK_UNSUPPORTED',
        `an ICMP payload can be at most ${MAX_ICMP_PAYLOAD} bytes (ping's -p pattern); this one has ${step.payload.length}`);
    }
  }
}

async function resolve(host: string, family: 0 | Family, io: KnockIO): Promise<Resolved> {
  let to: Resolved;
  try {
    to = await io.resolve(host, family);
  } catch (e) {
    const want = family === 0 ? 'an address' : `an IPv${family} address`;
    throw new KnockError('KNOCK_RESOLVE', `cannot resolve ${host} to ${want}: ${reason(e)}`, { cause: e });
  }
  // A literal address resolves to itself whatever family was asked for.
  if (family !== 0 && to.family !== family) {
    throw new KnockError('KNOCK_RESOLVE', `-${family} was given but ${host} is an IPv${to.family} address`);
  }
  return to;
}

async function hit(step: Step, index: number, to: Resolved, io: KnockIO): Promise<void> {
  try {
    switch (step.proto) {
      case 'tcp': return await io.sendTcp(to, step.port);
      case 'udp': return await io.sendUdp(to, step.port, step.payload ?? UDP_DEFAULT_PAYLOAD);
      case 'icmp': return await io.sendIcmp(to, step.payload);
    }
  } catch (e) {
    if (e instanceof KnockError && e.code !== 'KNOCK_SEND') throw e;
    throw new KnockError('KNOCK_SEND', `step ${index + 1} (${describeHit(step, to.address)}) was not sent: ${reason(e)}`, { cause: e });
  }
}

function reason(e: unknown): string {
  if (e instanceof KnockError) return e.message;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}
