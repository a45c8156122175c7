// The client's end of the control socket: one request, one reply, and the
// errors an operator can act on (daemon not running, not root, no answer).
import { createConnection } from 'node:net';
import { ControlError } from './errors.js';
import { LineReader } from './line-reader.js';
import { formatRequest, MAX_REPLY_BYTES, parseReply, type OkReply, type Request } from './protocol.js';
import type { StatusReport } from './types.js';

export interface ClientOptions {
  /** Connecting, sending and waiting for the whole reply together (default 30 s: a revoke waits for its stop commands). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Sends `req` to the daemon on `path`; resolves with its successful reply, or throws ControlError. */
export function request(path: string, req: Request, opts: ClientOptions = {}): Promise<OkReply> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    const reader = new LineReader(MAX_REPLY_BYTES);
    let settled = false;
    const finish = (err: ControlError | undefined, reply?: OkReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new ControlError('CONTROL_TIMEOUT', `no answer from the daemon on ${path} within ${timeoutMs / 1000} s`)), timeoutMs);
    const onLine = (line: string) => {
      try {
        const reply = parseReply(line);
        if (reply.ok) finish(undefined, reply);
        else finish(new ControlError(reply.error.code, reply.error.message, reply.error.details ?? []));
      } catch (err) {
        finish(err as ControlError);
      }
    };
    conn.once('connect', () => conn.end(formatRequest(req)));
    conn.on('data', (chunk: Buffer) => {
      const r = reader.push(chunk);
      if (r.kind === 'line') onLine(r.line);
      else if (r.kind === 'too-long') finish(new ControlError('CONTROL_BAD_RESPONSE', `the daemon's reply is longer than ${MAX_REPLY_BYTES} bytes`));
    });
    conn.once('end', () => {
      const r = reader.end();
      if (r?.kind === 'line') onLine(r.line);
      else finish(new ControlError('CONTROL_BAD_RESPONSE', `the daemon on ${path} closed the connection without answering`));
    });
    conn.once('error', (err: NodeJS.ErrnoException) => finish(connectError(path, err)));
  });
}

/** The operator's view of a failed connection. */
export function connectError(path: string, err: NodeJS.ErrnoException): ControlError {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
    case 'ENOTDIR':
      return new ControlError('CONTROL_NOT_RUNNING', `no daemon is listening on ${path} (is portcullis serve running?)`, [], { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ControlError('CONTROL_PERMISSION', `permission denied on ${path}: the control socket is root-only (mode 0600); run this as root, e.g. with sudo`, [], { cause: err });
    default:
      return new ControlError('CONTROL_CONNECT', `cannot talk to the daemon on ${path}: ${err.message}`, [], { cause: err });
  }
}

export async function fetchStatus(path: string, opts?: ClientOptions): Promise<StatusReport> {
  const reply = await request(path, { op: 'status' }, opts);
  if (typeof reply.status !== 'object' || reply.status === null) throw missing('status');
  return reply.status;
}

/** Closes the grants of `address` (all if undefined); resolves with how many were closed. */
export async function revoke(path: string, address: string | undefined, opts?: ClientOptions): Promise<number> {
  const reply = await request(path, { op: 'revoke', address }, opts);
  if (typeof reply.revoked !== 'number') throw missing('revoked');
  return reply.revoked;
}

/** Asks the daemon to reload its config; resolves with its number of doors. Config errors come as CONFIG_INVALID with details. */
/** Lifts bans; resolves with how many were live. */
export async function unban(path: string, address: string | undefined, opts?: ClientOptions): Promise<number> {
  const reply = await request(path, { op: 'unban', address }, opts);
  if (typeof reply.unbanned !== 'number') throw missing('unbanned');
  return reply.unbanned;
}

export async function reload(path: string, opts?: ClientOptions): Promise<number> {
  const reply = await request(path, { op: 'reload' }, opts);
  if (typeof reply.doors !== 'number') throw missing('doors');
  return reply.doors;
}

function missing(field: string): ControlError {
  return new ControlError('CONTROL_BAD_RESPONSE', `the daemon's reply has no "${field}" field`);
}
