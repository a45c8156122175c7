// Knock steps, shared by the config parser and the knock client.
//
//   7000            TCP port 7000 (knockd's default protocol)
//   7000:udp        UDP port 7000; the protocol is case-insensitive and
//   7000 : UDP      whitespace around each part is ignored, as in knockd
//   icmp            an ICMP echo request (Portcullis)
//   8000:udp:payload=knock     UDP datagram that must carry "knock" (UTF-8)
//   icmp:payload=0x6b6e6f636b  echo request whose data must carry these bytes
//
// A sequence is steps separated by commas, so payload text cannot hold a comma,
// and in a config file ` #` starts a trailing comment; write such payloads in
// hex. Payload text is trimmed, like every part of a step.
import { DEFAULTS, type Step } from './model.js';
import { InvalidValueError } from './errors.js';

const DIGITS = /^[0-9]+$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const PAYLOAD_KEY = /:\s*payload\s*=/i;
/** A payload has to fit in one unfragmented UDP datagram or echo request. */
export const MAX_PAYLOAD_BYTES = 1024;
const PORT_EXPECTED = 'expected 1-65535, optionally followed by :tcp or :udp';

/** Parses one step, e.g. `7000`, `8000:udp`, `icmp:payload=hello`. */
export function parseStep(text: string): Step {
  const trimmed = text.trim();
  const payloadAt = trimmed.search(PAYLOAD_KEY);
  const head = payloadAt < 0 ? trimmed : trimmed.slice(0, payloadAt);
  const parts = head.split(':').map((p) => p.trim());
  let step: { proto: Step['proto']; port: number };

  if (parts.length === 1 && parts[0]!.toLowerCase() === 'icmp') {
    step = { proto: 'icmp', port: 0 };
  } else if (parts.length <= 2) {
    const port = parsePort(parts[0]!, trimmed);
    const proto = parts.length === 2 ? parseProtocol(parts[1]!, parts[0]!) : 'tcp';
    step = { proto, port };
  } else {
    throw new InvalidValueError('CONFIG_SYNTAX',
      `"${trimmed}" has too many ":" parts; expected port[:tcp|:udp][:payload=...] or icmp[:payload=...]`);
  }

  if (payloadAt < 0) return step;
  if (step.proto === 'tcp') {
    throw new InvalidValueError('CONFIG_BAD_PAYLOAD',
      `"${trimmed}": a payload needs a UDP or ICMP step (a TCP knock is a bare SYN); expected e.g. ${step.port}:udp:payload=...`);
  }
  const payload = parsePayload(trimmed.slice(payloadAt).replace(PAYLOAD_KEY, '').trim());
  return { ...step, payload };
}

/**
 * Parses a comma-separated sequence and throws the first problem. The config
 * parser uses parseSequenceReport instead, to report every bad step.
 */
export function parseSequence(text: string, maxSteps: number = DEFAULTS.maxSequenceLength): Step[] {
  const { steps, errors } = parseSequenceReport(text, maxSteps);
  if (errors.length > 0) throw errors[0]!;
  return steps;
}

/** Every step that parses and every problem, in order. */
export function parseSequenceReport(
  text: string, maxSteps: number = DEFAULTS.maxSequenceLength,
): { steps: Step[]; errors: InvalidValueError[] } {
  const steps: Step[] = [];
  const errors: InvalidValueError[] = [];
  if (text.trim() === '') {
    errors.push(new InvalidValueError('CONFIG_EMPTY_SEQUENCE', `no steps; ${PORT_EXPECTED}, separated by commas`));
    return { steps, errors };
  }
  const items = text.split(',');
  items.forEach((item, i) => {
    if (item.trim() === '') {
      // knockd turned an empty element (a trailing comma) into a knock on port 0.
      const where = i === items.length - 1 ? 'a trailing comma' : `an empty step at position ${i + 1}`;
      errors.push(new InvalidValueError('CONFIG_BAD_PORT', `${where} (port 0 in knockd); ${PORT_EXPECTED}`));
      return;
    }
    try {
      steps.push(parseStep(item));
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e;
      errors.push(e);
    }
  });
  if (items.length > maxSteps) {
    errors.push(new InvalidValueError('CONFIG_TOO_MANY_STEPS', `${items.length} steps; expected at most ${maxSteps}`));
  }
  return { steps, errors };
}

/**
 * Drops a trailing ` # comment`. knockd read sequences and numbers with atoi,
 * which stops at the first non-digit, so `1,2,3 # c` worked there by accident;
 * Portcullis keeps those files working on purpose.
 */
export function stripTrailingComment(text: string): string {
  const m = /(^|\s)#/.exec(text);
  return m ? text.slice(0, m.index).trimEnd() : text;
}

/** `7000/tcp`, `8000/udp(payload "knock")`, `icmp(payload 0x00ff)`. */
export function formatStep(step: Step): string {
  const base = step.proto === 'icmp' ? 'icmp' : `${step.port}/${step.proto}`;
  return step.payload ? `${base}(payload ${formatPayload(step.payload)})` : base;
}

export function formatSequence(steps: readonly Step[]): string {
  return steps.map(formatStep).join(' ');
}

function parsePort(text: string, step: string): number {
  if (!DIGITS.test(text)) {
    const hint = /^[0-9]+\s+[0-9]/.test(text) ? ' (separate steps with commas)' : '';
    throw new InvalidValueError('CONFIG_BAD_PORT', `"${text === '' ? step : text}" is not a port number; ${PORT_EXPECTED}${hint}`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new InvalidValueError('CONFIG_BAD_PORT', `port ${text} is out of range; ${PORT_EXPECTED}`);
  }
  return port;
}

function parseProtocol(text: string, port: string): 'tcp' | 'udp' {
  const proto = text.toLowerCase();
  if (proto === 'tcp' || proto === 'udp') return proto;
  if (proto === 'icmp') {
    throw new InvalidValueError('CONFIG_BAD_PROTOCOL',
      `"${port}:${text}": ICMP has no ports; expected a bare icmp step (e.g. icmp or icmp:payload=...)`);
  }
  throw new InvalidValueError('CONFIG_BAD_PROTOCOL', `"${text}" is not a protocol; expected tcp or udp after the port`);
}

function parsePayload(text: string): Uint8Array {
  let bytes: Uint8Array;
  if (/^0x/i.test(text)) {
    const hex = text.slice(2);
    if (!HEX.test(hex)) {
      throw new InvalidValueError('CONFIG_BAD_PAYLOAD', `payload "${text}" is not valid hex; expected 0x followed by pairs of hex digits`);
    }
    bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  } else {
    bytes = new TextEncoder().encode(text);
  }
  if (bytes.length === 0) {
    throw new InvalidValueError('CONFIG_BAD_PAYLOAD', 'empty payload; expected text or 0x-prefixed hex after payload=');
  }
  if (bytes.length > MAX_PAYLOAD_BYTES) {
    throw new InvalidValueError('CONFIG_BAD_PAYLOAD', `payload is ${bytes.length} bytes; expected at most ${MAX_PAYLOAD_BYTES}`);
  }
  return bytes;
}

/** Text in quotes when it is printable UTF-8 without quotes or commas, else 0x hex. */
export function formatPayload(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('utf8');
  const printable = /^[^\x00-\x1f\x7f",]+$/u.test(text) && !text.includes('\ufffd') && text === text.trim();
  return printable ? `"${text}"` : `0x${Buffer.from(bytes).toString('hex')}`;
}
