// An in-memory KnockIO for tests: records every call in order, sleeps no
// time, and fails or answers as scripted.
import type { Family, KnockIO, Resolved } from './knock.js';

export type Call =
  | { readonly op: 'resolve'; readonly host: string; readonly family: 0 | Family }
  | { readonly op: 'tcp'; readonly address: string; readonly port: number }
  | { readonly op: 'udp'; readonly address: string; readonly port: number; readonly payload: string }
  | { readonly op: 'icmp'; readonly address: string; readonly payload?: string }
  | { readonly op: 'sleep'; readonly ms: number }
  | { readonly op: 'connect'; readonly address: string; readonly port: number; readonly timeoutMs: number };

export interface Script {
  /** What resolve returns; an Error is thrown instead. Default 192.0.2.1 (IPv4). */
  readonly resolveTo?: Resolved | Error;
  /** Throw this error from the n-th send (1-based, counting tcp, udp and icmp calls). */
  readonly failSend?: { readonly at: number; readonly error: Error };
  /** Answers of successive connect calls; false once they run out. */
  readonly connects?: readonly boolean[];
}

export class RecordingIO implements KnockIO {
  readonly calls: Call[] = [];
  private sends = 0;
  private connectsMade = 0;

  constructor(private readonly script: Script = {}) {}

  async resolve(host: string, family: 0 | Family): Promise<Resolved> {
    this.calls.push({ op: 'resolve', host, family });
    const to = this.script.resolveTo ?? { address: '192.0.2.1', family: 4 };
    if (to instanceof Error) throw to;
    return to;
  }

  async sendTcp(to: Resolved, port: number): Promise<void> {
    this.send({ op: 'tcp', address: to.address, port });
  }

  async sendUdp(to: Resolved, port: number, payload: Uint8Array): Promise<void> {
    this.send({ op: 'udp', address: to.address, port, payload: hex(payload) });
  }

  async sendIcmp(to: Resolved, payload: Uint8Array | undefined): Promise<void> {
    this.send(payload ? { op: 'icmp', address: to.address, payload: hex(payload) } : { op: 'icmp', address: to.address });
  }

  async sleep(ms: number): Promise<void> {
    this.calls.push({ op: 'sleep', ms });
  }

  async connect(to: Resolved, port: number, timeoutMs: number): Promise<boolean> {
    this.calls.push({ op: 'connect', address: to.address, port, timeoutMs });
    return this.script.connects?.[this.connectsMade++] ?? false;
  }

  /** The calls with the given op, e.g. io.only('tcp'). */
  only<K extends Call['op']>(op: K): Extract<Call, { op: K }>[] {
    return this.calls.filter((c): c is Extract<Call, { op: K }> => c.op === op);
  }

  private send(call: Call): void {
    this.calls.push(call);
    this.sends++;
    const fail = this.script.failSend;
    if (fail && this.sends === fail.at) throw fail.error;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
