// The control protocol: what `portcullis status | revoke | reload` and the
// daemon say to each other over its Unix socket (mode 0600: root only).
// Pure: parsing and formatting only; server.ts and client.ts do the I/O.
//
// One request per connection. The client sends one line of printable ASCII,
// at most 1024 bytes before its "\n" (a "\r" before the "\n" is ignored, and
// end of input also ends the line); words are separated by spaces or tabs:
//
//   status           the daemon's StatusReport (types.ts)
//   revoke ADDRESS   close now every grant of this IPv4 or IPv6 literal
//   revoke --all     close every grant now
//   unban ADDRESS    lift the ban of this IPv4 or IPv6 literal (kernel element too)
//   unban --all      lift every ban
//   reload           re-read the config file, as on SIGHUP: validated first,
//                    the running configuration stays if it has errors
//
// The daemon answers with one line of JSON and closes the connection:
//
//   {"ok":true,"status":{...}}      {"ok":true,"revoked":2}      {"ok":true,"doors":3}      {"ok":true,"unbanned":1}
//   {"ok":false,"error":{"code":"CONFIG_INVALID","message":"...","details":["FILE:LINE: ..."]}}
//
// `code` is stable (errors.ts): CONTROL_BAD_REQUEST, CONTROL_UNKNOWN_COMMAND,
// CONTROL_BAD_ADDRESS, CONTROL_REQUEST_TOO_LONG, CONTROL_TIMEOUT (no full line
// within 5 s), CONTROL_BUSY (16 connections already open), CONTROL_INTERNAL,
// CONFIG_INVALID. `details` is optional. Clients ignore fields they do not
// know, so fields can be added to replies without breaking older clients.
import { formatAddress, parseAddress } from '../config/address.js';
import { PortcullisError } from '../errors.js';
import { ControlError } from './errors.js';
import type { StatusReport } from './types.js';

/** Longest request line, newline excluded. */
export const MAX_REQUEST_BYTES = 1024;
/** Longest reply a client accepts: a status with the most grants the daemon can hold fits easily. */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export type Request =
  | { readonly op: 'status' }
  /** `address` is canonical (formatAddress); undefined for `--all`. */
  | { readonly op: 'revoke'; readonly address: string | undefined }
  /** Lifts bans (src/bans/); `address` as for revoke. */
  | { readonly op: 'unban'; readonly address: string | undefined }
  | { readonly op: 'reload' };

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: readonly string[];
}

export interface OkReply {
  readonly ok: true;
  readonly status?: StatusReport;
  readonly revoked?: number;
  readonly unbanned?: number;
  readonly doors?: number;
}

export type Reply = OkReply | { readonly ok: false; readonly error: ErrorBody };

const EXPECTED = 'expected status, revoke ADDRESS, revoke --all, unban ADDRESS, unban --all or reload';

export function parseRequest(line: string): Request {
  if (!/^[\x20-\x7e\t]*$/.test(line)) throw new ControlError('CONTROL_BAD_REQUEST', `the request is not printable ASCII; ${EXPECTED}`);
  const [op, ...args] = line.split(/[ \t]+/).filter((w) => w !== '');
  switch (op) {
    case undefined:
      throw new ControlError('CONTROL_BAD_REQUEST', `empty request; ${EXPECTED}`);
    case 'status':
    case 'reload':
      if (args.length > 0) throw new ControlError('CONTROL_BAD_REQUEST', `${op} takes no argument; ${EXPECTED}`);
      return { op };
    case 'revoke':
    case 'unban': {
      if (args.length !== 1) throw new ControlError('CONTROL_BAD_REQUEST', `${op} takes one argument; expected ${op} ADDRESS or ${op} --all`);
      const arg = args[0]!;
      if (arg === '--all') return { op, address: undefined };
      const address = parseAddress(arg);
      if (!address) throw new ControlError('CONTROL_BAD_ADDRESS', `"${clip(arg)}" is not an IP address; expected e.g. 192.0.2.7 or 2001:db8::7, or --all`);
      return { op, address: formatAddress(address) };
    }
    default:
      throw new ControlError('CONTROL_UNKNOWN_COMMAND', `unknown request "${clip(op)}"; ${EXPECTED}`);
  }
}

/** The request line, newline included. */
export function formatRequest(req: Request): string {
  if (req.op === 'revoke' || req.op === 'unban') return `${req.op} ${req.address ?? '--all'}\n`;
  return `${req.op}\n`;
}

/** The reply line, newline included (JSON escapes every newline inside strings). */
export function formatReply(reply: Reply): string {
  return `${JSON.stringify(reply)}\n`;
}

export function errorReply(code: string, message: string, details: readonly string[] = []): Reply {
  return { ok: false, error: details.length > 0 ? { code, message, details } : { code, message } };
}

/** A thrown error as a reply: our own errors keep their code, anything else is CONTROL_INTERNAL. */
export function replyForError(err: unknown): Reply {
  if (err instanceof ControlError) return errorReply(err.code, err.message, err.details);
  if (err instanceof PortcullisError) return errorReply(err.code, err.message);
  return errorReply('CONTROL_INTERNAL', `internal error: ${err instanceof Error ? err.message : String(err)}`);
}

/** Parses a reply line; throws CONTROL_BAD_RESPONSE if it is not one. */
export function parseReply(line: string): Reply {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw badResponse('it is not JSON');
  }
  if (!isObject(value) || typeof value['ok'] !== 'boolean') throw badResponse('it has no "ok" field');
  if (value['ok']) return value as unknown as OkReply;
  const error = value['error'];
  if (!isObject(error) || typeof error['code'] !== 'string' || typeof error['message'] !== 'string') {
    throw badResponse('its error has no code or message');
  }
  const details = error['details'];
  const lines = Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : [];
  return errorReply(error['code'], error['message'], lines);
}

function badResponse(why: string): ControlError {
  return new ControlError('CONTROL_BAD_RESPONSE', `the daemon's reply is not understood: ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** User input quoted in a message, cut short. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
