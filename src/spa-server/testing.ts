// Builders for SPA tests: doors without the parser, and packets made by the
// codec's encoder (the same format the real fwknop client sends).
import { DEFAULTS, type Door, type SpaDoor } from '../config/model.js';
import { spaDoor } from '../config/spa-door.js';
import { encodeSpa } from '../spa/codec.js';
import { MessageType, type AccessSpec, type SpaMessage } from '../spa/types.js';

// fwknop --key-gen output (fwknop-run.md, set "A").
export const KEY_B64 = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
export const HMAC_B64 = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
export const KEY = new Uint8Array(Buffer.from(KEY_B64, 'base64'));
export const HMAC = new Uint8Array(Buffer.from(HMAC_B64, 'base64'));

export type SpaDoorOverrides = Partial<SpaDoor> & Partial<Pick<Door, 'startCommand' | 'startCommand6' | 'stopCommand' | 'stopCommand6'>>;

/** An SPA door (`open_ports = tcp/22` on udp/62201, keys KEY and HMAC, fwknopd's defaults) as the parser builds it. */
export function spaTestDoor(name = 'spa', o: SpaDoorOverrides = {}): Door {
  const { startCommand, startCommand6, stopCommand, stopCommand6, ...spa } = o;
  return spaDoor(name, 1, {
    ...(startCommand !== undefined && { startCommand }),
    ...(startCommand6 !== undefined && { startCommand6 }),
    ...(stopCommand !== undefined && { stopCommand }),
    ...(stopCommand6 !== undefined && { stopCommand6 }),
  }, {
    port: DEFAULTS.spaPort, listen: 'pcap', key: KEY, hmacKey: HMAC, hmacDigest: 'sha256', encryptionMode: 'cbc',
    openPorts: [{ proto: 'tcp', port: 22 }], source: [], requireSourceAddress: true,
    accessTimeoutMs: DEFAULTS.spaAccessTimeoutMs, maxTimeoutMs: DEFAULTS.spaMaxTimeoutMs,
    ...spa,
  });
}

export interface PacketOptions {
  readonly allowIp?: string;
  readonly access?: readonly AccessSpec[];
  /** ms since the epoch; the message carries whole seconds. */
  readonly at?: number;
  readonly username?: string;
  readonly clientTimeout?: number;
  readonly type?: MessageType;
  readonly command?: string;
  readonly nat?: { host: string; port: number };
  readonly key?: Uint8Array;
  /** null: no HMAC on the packet. */
  readonly hmac?: Uint8Array | null;
}

let counter = 0;

/** An SPA packet (the UDP payload's bytes) as `fwknop -A tcp/22 -a ALLOW` would send it. */
export function spaPacket(o: PacketOptions = {}): Uint8Array {
  const timeout = o.clientTimeout !== undefined && o.clientTimeout > 0;
  const type = o.type ?? (o.nat ? (timeout ? MessageType.clientTimeoutNatAccess : MessageType.natAccess) : timeout ? MessageType.clientTimeoutAccess : MessageType.access);
  const message: SpaMessage = {
    random: String(1_000_000_000_000_000 + (++counter * 7919) % 1_000_000_000_000_000).slice(0, 16),
    username: o.username ?? 'root',
    timestamp: Math.floor((o.at ?? Date.now()) / 1000),
    version: '3.0.0',
    type,
    allowIp: o.allowIp ?? '192.0.2.10',
    access: type === MessageType.command ? [] : (o.access ?? [{ proto: 'tcp', port: 22 }]),
    ...(o.command !== undefined && { command: o.command }),
    ...(o.nat && { nat: o.nat }),
    ...(timeout && { clientTimeout: o.clientTimeout }),
  };
  const hmac = o.hmac === undefined ? HMAC : o.hmac;
  // Command messages as fwknop -C builds them: for a command stanza, so 400+ characters may pass.
  const text = encodeSpa(message, { encryption: o.key ?? KEY, ...(hmac && { hmac }) }, { commands: type === MessageType.command });
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
