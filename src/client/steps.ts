// Knock steps as written on the command line, one argument each:
//
//   7000  7000:tcp  7000:UDP   a TCP or UDP port (protocol in any case; knock took lowercase only)
//   ssh  http:udp              a service name from the services file, as knock accepted
//   icmp                       an ICMP echo request (Portcullis)
//   8000:udp:payload=knock     a UDP datagram carrying "knock" (UTF-8)
//   icmp:payload=0x6b6e6f636b  an echo request whose data carries these bytes
//
// The config file's sequence parser (src/config/sequence.ts) reads the same
// syntax; this one adds service names and -u, and takes no commas.
import type { Step } from '../config/model.js';
import { KnockError } from './errors.js';
import type { ServiceLookup } from './services.js';

/** Same limit as the config parser: a payload fits one unfragmented packet. */
export const MAX_PAYLOAD_BYTES = 1024;

const PAYLOAD_KEY = /:payload=/i;
const EXPECTED = 'expected PORT[:tcp|:udp][:payload=TEXT], a service name, or icmp[:payload=TEXT]';

export interface StepOptions {
  /** knock's -u: every port step is UDP, even one written `:tcp`. */
  readonly udp: boolean;
  readonly services: ServiceLookup;
}

/** Parses one STEP argument. */
export function parseKnockStep(arg: string, opts: StepOptions): Step {
  const payloadAt = arg.search(PAYLOAD_KEY);
  const head = payloadAt < 0 ? arg : arg.slice(0, payloadAt);
  const parts = head.split(':');
  let step: { proto: Step['proto']; port: number };

  if (parts.length === 1 && parts[0]!.toLowerCase() === 'icmp') {
    step = { proto: 'icmp', port: 0 };
  } else if (parts.length <= 2) {
    const written = parts.length === 2 ? parseProtocol(parts[1]!, arg) : 'tcp';
    const proto = opts.udp ? 'udp' : written;
    step = { proto, port: parsePort(parts[0]!, proto, arg, opts.services) };
  } else {
    throw new KnockError('KNOCK_BAD_STEP', `"${arg}" has too many ":" parts; ${EXPECTED}`);
  }

  if (payloadAt < 0) return step;
  if (step.proto === 'tcp') {
    throw new KnockError('KNOCK_BAD_STEP',
      `"${arg}": a TCP knock is a bare SYN and carries no payload; use ${step.port}:udp:payload=... or icmp:payload=...`);
  }
  return { ...step, payload: parsePayload(arg.slice(payloadAt + ':payload='.length), arg) };
}

/** `tcp 127.0.0.1:7000`, as knock -v printed it, plus the payload if any. */
export function describeHit(step: Step, address: string): string {
  const where = step.proto === 'icmp' ? address : `${address}:${step.port}`;
  const payload = step.payload ? ` with payload ${formatPayload(step.payload)}` : '';
  return `${step.proto} ${where}${payload}`;
}

/** Printable text in quotes, anything else as 0x hex. */
export function formatPayload(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('utf8');
  const printable = /^[\x20-\x7e\u00a0-\uffff]+$/u.test(text) && !text.includes('\ufffd') && !text.includes('"');
  return printable ? `"${text}"` : `0x${Buffer.from(bytes).toString('hex')}`;
}

function parseProtocol(text: string, arg: string): 'tcp' | 'udp' {
  const proto = text.toLowerCase();
  if (proto === 'tcp' || proto === 'udp') return proto;
  if (proto === 'icmp') {
    throw new KnockError('KNOCK_BAD_STEP', `"${arg}": ICMP has no ports; write icmp or icmp:payload=...`);
  }
  throw new KnockError('KNOCK_BAD_STEP', `"${arg}": "${text}" is not a protocol; expected tcp or udp after the port`);
}

function parsePort(text: string, proto: 'tcp' | 'udp', arg: string, services: ServiceLookup): number {
  if (/^[0-9]+$/.test(text)) {
    const port = Number(text);
    if (port >= 1 && port <= 65535) return port;
    throw new KnockError('KNOCK_BAD_STEP', `"${arg}": port ${text} is out of range; expected 1-65535`);
  }
  const port = text === '' ? undefined : services(text, proto);
  if (port !== undefined) return port;
  throw new KnockError('KNOCK_BAD_STEP', `"${arg}": "${text}" is neither a port number nor a known service name; ${EXPECTED}`);
}

function parsePayload(text: string, arg: string): Uint8Array {
  let bytes: Uint8Array;
  if (/^0x/i.test(text)) {
    const hex = text.slice(2);
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
      throw new KnockError('KNOCK_BAD_STEP', `"${arg}": payload "${text}" is not valid hex; expected 0x followed by pairs of hex digits`);
    }
    bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  } else {
    bytes = new TextEncoder().encode(text);
  }
  if (bytes.length === 0) {
    throw new KnockError('KNOCK_BAD_STEP', `"${arg}": empty payload; expected text or 0x-prefixed hex after payload=`);
  }
  if (bytes.length > MAX_PAYLOAD_BYTES) {
    throw new KnockError('KNOCK_BAD_STEP', `"${arg}": payload is ${bytes.length} bytes; expected at most ${MAX_PAYLOAD_BYTES}`);
  }
  return bytes;
}
