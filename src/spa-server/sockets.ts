// `spa_listen = socket`: the SPA port bound with node:dgram instead of
// captured, so no capture privileges are needed. One IPv4 and one IPv6-only
// socket on every address (as fwknopd's UDP server binds INADDR_ANY); nothing
// is ever sent back. Behind an interface so the daemon's tests use a double.
import { createSocket, type Socket } from 'node:dgram';
import { formatAddress, parseAddress } from '../config/address.js';

export interface SpaSocket {
  close(): void;
}

/** A datagram: its payload and its source (canonical text; an IPv4-mapped IPv6 source as IPv4). */
export type OnDatagram = (payload: Uint8Array, src: string, family: 4 | 6) => void;

export interface SpaSockets {
  /**
   * Binds udp/`port`. Rejects when IPv4 cannot be bound (the port is taken);
   * an IPv6 socket that cannot be bound (IPv6 off) is a warning.
   */
  bind(port: number, ipv4Only: boolean, onDatagram: OnDatagram, onError: (e: Error) => void, onWarning: (m: string) => void): Promise<SpaSocket>;
}

/** The source as the packet decoder would print it, or undefined for something that is not an address. */
export function datagramSource(address: string): { src: string; family: 4 | 6 } | undefined {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const a = parseAddress(mapped ? mapped[1]! : bare);
  return a ? { src: formatAddress(a), family: a.family } : undefined;
}

export class NodeSpaSockets implements SpaSockets {
  async bind(port: number, ipv4Only: boolean, onDatagram: OnDatagram, onError: (e: Error) => void, onWarning: (m: string) => void): Promise<SpaSocket> {
    const sockets: Socket[] = [];
    const v4 = createSocket({ type: 'udp4' });
    await listen(v4, port, '0.0.0.0');
    sockets.push(v4);
    if (!ipv4Only) {
      const v6 = createSocket({ type: 'udp6', ipv6Only: true });
      try {
        await listen(v6, port, '::');
        sockets.push(v6);
      } catch (err) {
        v6.close();
        onWarning(`IPv6 cannot be bound (${(err as Error).message}); IPv4 only`);
      }
    }
    for (const s of sockets) {
      s.on('message', (msg, rinfo) => {
        const from = datagramSource(rinfo.address);
        if (from) onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from.src, from.family);
      });
      s.on('error', onError);
    }
    return { close: () => { for (const s of sockets) { try { s.close(); } catch { /* already closed */ } } } };
  }
}

function listen(s: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    s.once('error', fail);
    s.bind({ port, address, exclusive: true }, () => {
      s.off('error', fail);
      resolve();
    });
  });
}

/** The double: bound ports in a map; `send` delivers a datagram as the kernel would. */
export class MemorySpaSockets implements SpaSockets {
  readonly bound = new Map<number, OnDatagram>();
  /** Ports whose bind fails (taken by another program). */
  readonly taken = new Set<number>();

  async bind(port: number, _ipv4Only: boolean, onDatagram: OnDatagram): Promise<SpaSocket> {
    if (this.taken.has(port) || this.bound.has(port)) throw Object.assign(new Error(`bind EADDRINUSE 0.0.0.0:${port}`), { code: 'EADDRINUSE' });
    this.bound.set(port, onDatagram);
    return { close: () => { if (this.bound.get(port) === onDatagram) this.bound.delete(port); } };
  }

  /** Delivers `payload` from `src` to udp/`port`; false if nothing is bound there. */
  send(port: number, payload: Uint8Array, src: string): boolean {
    const on = this.bound.get(port);
    if (!on) return false;
    const from = datagramSource(src)!;
    on(payload, from.src, from.family);
    return true;
  }
}
