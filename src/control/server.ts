// The daemon's end of the control socket: accepts connections, reads one
// bounded request line from each, answers with one reply line and closes.
// Every limit is per connection or per server, so no client (or many) can make
// the daemon buffer, wait or work without bound, and nothing a client sends
// can throw out of here.
import { createServer, type Server, type Socket } from 'node:net';
import { dispatch } from './dispatch.js';
import { LineReader, type LineResult } from './line-reader.js';
import { errorReply, formatReply, MAX_REQUEST_BYTES, type Reply } from './protocol.js';
import { listenPrivate, removeIfOurs, type BoundSocket } from './socket-file.js';
import type { ControlHandler } from './types.js';

export interface ControlLimits {
  /** Longest request line, newline excluded. */
  readonly maxRequestBytes: number;
  /** A connection idle this long (no full request yet, or a reply not being read) is closed. */
  readonly idleMs: number;
  /** Requests being served at once; more connections are answered CONTROL_BUSY. */
  readonly maxConnections: number;
  /** A request the daemon has not answered within this long gets CONTROL_TIMEOUT. */
  readonly replyMs: number;
}

export const DEFAULT_LIMITS: ControlLimits = { maxRequestBytes: MAX_REQUEST_BYTES, idleMs: 5_000, maxConnections: 16, replyMs: 60_000 };

export class ControlServer {
  /** Every open connection, served or refused. */
  private readonly sockets = new Set<Socket>();
  private serving = 0;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly bound: BoundSocket,
    private readonly handler: ControlHandler,
    private readonly limits: ControlLimits,
  ) {}

  /** Listens on `path` (mode 0600, a stale socket replaced, a live one refused); throws ControlError. */
  static async listen(path: string, handler: ControlHandler, limits: Partial<ControlLimits> = {}): Promise<ControlServer> {
    const all = { ...DEFAULT_LIMITS, ...limits };
    // Half-open: a client may end its side after the request and still read the reply.
    const server = createServer({ allowHalfOpen: true });
    // A hard cap in the kernel-facing layer too, for clients that never read their CONTROL_BUSY.
    server.maxConnections = all.maxConnections * 2;
    const bound = await listenPrivate(server, path);
    const control = new ControlServer(server, bound, handler, all);
    server.on('connection', (sock) => control.accept(sock));
    server.on('error', () => undefined);
    return control;
  }

  get path(): string {
    return this.bound.path;
  }

  /** Stops listening, drops open connections, removes the socket file if it is still ours. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    removeIfOurs(this.bound);
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await done;
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    sock.once('close', () => this.sockets.delete(sock));
    // The client went away (EPIPE, ECONNRESET): nothing to answer.
    sock.on('error', () => sock.destroy());
    if (this.serving >= this.limits.maxConnections || this.closed) {
      this.reply(sock, errorReply('CONTROL_BUSY', `the daemon is serving ${this.limits.maxConnections} control connections already; try again`));
      return;
    }
    this.serving++;
    sock.once('close', () => this.serving--);
    const reader = new LineReader(this.limits.maxRequestBytes, 'latin1');
    let taken = false;
    const take = (r: LineResult) => {
      if (taken) return;
      taken = true;
      sock.removeListener('data', onData);
      if (r.kind === 'too-long') {
        this.reply(sock, errorReply('CONTROL_REQUEST_TOO_LONG', `the request is longer than ${this.limits.maxRequestBytes} bytes`));
      } else if (r.kind === 'line') {
        sock.setTimeout(0);
        void this.answer(r.line).then((reply) => this.reply(sock, reply));
      }
    };
    const onData = (chunk: Buffer) => {
      const r = reader.push(chunk);
      if (r.kind !== 'more') take(r);
    };
    sock.on('data', onData);
    sock.once('end', () => {
      if (!taken) take(reader.end() ?? { kind: 'line', line: '' });
    });
    sock.setTimeout(this.limits.idleMs, () => {
      if (!taken) {
        taken = true;
        this.reply(sock, errorReply('CONTROL_TIMEOUT', `no complete request line within ${this.limits.idleMs / 1000} s`));
      }
    });
  }

  private async answer(line: string): Promise<Reply> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Reply>((resolve) => {
      timer = setTimeout(() => resolve(errorReply('CONTROL_TIMEOUT', `the daemon did not finish the request within ${this.limits.replyMs / 1000} s`)), this.limits.replyMs);
    });
    try {
      return await Promise.race([dispatch(line, this.handler), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends the reply and closes; a client that does not read it is cut off after the idle time. */
  private reply(sock: Socket, reply: Reply): void {
    if (sock.destroyed) return;
    sock.setTimeout(this.limits.idleMs, () => sock.destroy());
    sock.end(formatReply(reply));
  }
}
