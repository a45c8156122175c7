// An in-memory SpaTransport for tests: records every call, fails as scripted.
import type { Family, Resolved, SpaTransport } from './transport.js';

export type TransportCall =
  | { readonly op: 'resolve'; readonly host: string; readonly family: 0 | Family }
  | { readonly op: 'udp' | 'tcp'; readonly address: string; readonly port: number; readonly payload: string };

export interface TransportScript {
  /** What resolve returns per host (default: a literal resolves to itself, a name to 192.0.2.1); an Error is thrown. */
  readonly resolve?: Readonly<Record<string, Resolved | Error>>;
  /** Thrown by every send. */
  readonly sendError?: Error;
}

export class RecordingTransport implements SpaTransport {
  readonly calls: TransportCall[] = [];

  constructor(private readonly script: TransportScript = {}) {}

  async resolve(host: string, family: 0 | Family): Promise<Resolved> {
    this.calls.push({ op: 'resolve', host, family });
    const scripted = this.script.resolve?.[host];
    if (scripted instanceof Error) throw scripted;
    if (scripted) return scripted;
    if (host.includes(':')) return { address: host, family: 6 };
    return { address: /^[0-9.]+$/.test(host) ? host : '192.0.2.1', family: 4 };
  }

  async sendUdp(to: Resolved, port: number, payload: Uint8Array): Promise<void> {
    this.send('udp', to, port, payload);
  }

  async sendTcp(to: Resolved, port: number, payload: Uint8Array): Promise<void> {
    this.send('tcp', to, port, payload);
  }

  /** The payloads sent, as text. */
  sent(): string[] {
    return this.calls.flatMap((c) => (c.op === 'resolve' ? [] : [c.payload]));
  }

  private send(op: 'udp' | 'tcp', to: Resolved, port: number, payload: Uint8Array): void {
    this.calls.push({ op, address: to.address, port, payload: Buffer.from(payload).toString('latin1') });
    if (this.script.sendError) throw this.script.sendError;
  }
}
