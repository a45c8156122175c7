// The optional metrics listener (metrics_listen): GET /metrics answers the
// Prometheus text format; every other path is 404, every other method 405.
// Bounded: a few connections at once, short timeouts, no request bodies read,
// so a scanner on the port cannot hold the daemon's memory or sockets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPE, render } from './exposition.js';
import type { Registry } from './registry.js';

export interface MetricsServerLimits {
  readonly maxConnections: number;
  /** Whole request (headers) must arrive within this; idle sockets close after it. */
  readonly timeoutMs: number;
}

export const DEFAULT_METRICS_LIMITS: MetricsServerLimits = { maxConnections: 16, timeoutMs: 5_000 };

export class MetricsListenError extends Error {
  readonly code = 'METRICS_LISTEN';
}

export class MetricsServer {
  private constructor(private readonly server: Server) {}

  /** Listens on host:port (a literal address; port 0 picks one). Rejects with MetricsListenError. */
  static listen(host: string, port: number, registry: Registry, limits: Partial<MetricsServerLimits> = {}): Promise<MetricsServer> {
    const l = { ...DEFAULT_METRICS_LIMITS, ...limits };
    const server = createServer({ requestTimeout: l.timeoutMs, headersTimeout: l.timeoutMs, keepAliveTimeout: l.timeoutMs }, (req, res) => answer(registry, req, res));
    server.maxConnections = l.maxConnections;
    server.setTimeout(l.timeoutMs, (socket) => socket.destroy());
    // A malformed request gets a 400 and the socket is closed; it never reaches the handler.
    server.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else socket.destroy(); });
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new MetricsListenError(`cannot listen on ${hostPort(host, port)} for metrics: ${err.code ?? err.message}`)));
      server.listen({ host, port, exclusive: true }, () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined);
        resolve(new MetricsServer(server));
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function answer(registry: Registry, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return reply(res, 404, 'not found; metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, 'method not allowed\n');
  }
  const body = render(registry.collect());
  res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text);
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
