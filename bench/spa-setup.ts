// The SPA section's fixed parts: the keys, Portcullis's SPA door, fwknopd's
// fwknopd.conf and access.conf, the packets (valid, wrong HMAC, random), and
// the parsers for tcpdump's UDP lines and fwknopd's log. All pure.
import { randomBytes } from 'node:crypto';
import { encodeSpa, randomValue } from '../src/spa/codec.js';
import type { SpaKeys } from '../src/spa/types.js';
import { BENCH_SET, GRANTS_SET, GUARDED_PORT, OPEN_TIMEOUT_S, SET, TABLE, type GrantSet } from './ruleset.js';

export const SPA_PORT = 62201;

/** fwknop --key-gen output (the research vectors' set "A"). */
export const KEY_BASE64 = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
export const HMAC_KEY_BASE64 = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

export const SPA_KEYS: SpaKeys = {
  encryption: Buffer.from(KEY_BASE64, 'base64'),
  hmac: Buffer.from(HMAC_KEY_BASE64, 'base64'),
};

export type SpaKind = 'portcullis-spa' | 'fwknopd';
export const SPA_DAEMONS: readonly SpaKind[] = ['portcullis-spa', 'fwknopd'];
export const SPA_NAMES: Record<SpaKind, string> = { 'portcullis-spa': 'Portcullis (SPA, nftables)', fwknopd: 'fwknopd 2.6.10' };

/** Portcullis opens in its backend's grants4; fwknopd's CMD_CYCLE_OPEN adds to the bench set. */
export function spaGrantSetOf(kind: SpaKind): GrantSet {
  return kind === 'portcullis-spa' ? GRANTS_SET : BENCH_SET;
}

/**
 * The Portcullis config: one SPA door (pcap on the SPA port), the nftables
 * backend. Bans and the kernel's SPA rate limit are off: the flood comes from
 * one address, which they would stop after FailureLimit packets (in the
 * kernel, or with one lookup per packet), and the figure wanted is the SPA
 * gate's own, as fwknopd (which has neither) is measured. docs/security.md
 * measures the ban flood.
 */
export function spaPortcullisConfig(): string {
  return `[options]
    firewall          = nftables
    BanTime           = 0
    SPA_Rate_Limit    = off

[bench-spa]
    key_base64        = ${KEY_BASE64}
    hmac_key_base64   = ${HMAC_KEY_BASE64}
    open_ports        = tcp/${GUARDED_PORT}
    fw_access_timeout = ${OPEN_TIMEOUT_S}
`;
}

/** The same command fwknopd runs per grant; execvp, no shell, so each word is an argument. */
export const FWKNOP_OPEN_COMMAND = `/usr/sbin/nft add element ${TABLE} ${SET} { $IP }`;

/** fwknopd.conf (values end at ';'); its files go to `runDir`. fwknopd's compiled defaults otherwise (PCAP_LOOP_SLEEP 100 ms, PCAP_DISPATCH_COUNT 100). */
export function fwknopdConf(iface: string, runDir: string): string {
  return `PCAP_INTF                   ${iface};
PCAP_FILTER                 udp port ${SPA_PORT};
ENABLE_SPA_PACKET_AGING     Y;
MAX_SPA_PACKET_AGE          120;
ENABLE_DIGEST_PERSISTENCE   Y;
FWKNOP_RUN_DIR              ${runDir};
FWKNOP_PID_FILE             ${runDir}/fwknopd.pid;
DIGEST_FILE                 ${runDir}/digest.cache;
`;
}

/** access.conf: the same keys and port; CMD_CYCLE_OPEN instead of a firewall (fwknopd then never touches iptables). */
export function fwknopAccessConf(): string {
  return `SOURCE                  ANY
KEY_BASE64              ${KEY_BASE64}
HMAC_KEY_BASE64         ${HMAC_KEY_BASE64}
OPEN_PORTS              tcp/${GUARDED_PORT}
REQUIRE_SOURCE_ADDRESS  Y
FW_ACCESS_TIMEOUT       ${OPEN_TIMEOUT_S}
CMD_CYCLE_OPEN          ${FWKNOP_OPEN_COMMAND}
CMD_CYCLE_CLOSE         NONE
`;
}

/** A valid access request for tcp/22 from `src`, timestamped `nowSeconds`. */
export function validPacket(src: string, nowSeconds: number, keys: SpaKeys = SPA_KEYS): string {
  return encodeSpa({ random: randomValue(), username: 'root', timestamp: nowSeconds, version: '3.0.0', type: 1, allowIp: src, access: [{ proto: 'tcp', port: GUARDED_PORT }] }, keys);
}

/** A well-formed packet of the right length, encrypted with the right key but authenticated with a fresh random HMAC key. */
export function wrongHmacPacket(src: string, nowSeconds: number): string {
  return validPacket(src, nowSeconds, { encryption: SPA_KEYS.encryption, hmac: randomBytes(64) });
}

/** Random base64 (no padding) of a random length in [min, max]. */
export function randomB64(min = 140, max = 400): string {
  const len = min + Math.floor(Math.random() * (max - min + 1));
  return randomBytes(Math.ceil((len * 3) / 4) + 3).toString('base64').replace(/=+$/, '').slice(0, len);
}

/** Flood payloads: alternately a wrong-HMAC packet and random base64. */
export function floodPool(n: number, src: string, nowSeconds: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(i % 2 === 0 ? wrongHmacPacket(src, nowSeconds) : randomB64());
  return out;
}

export interface CapturedUdp {
  /** Kernel receive time, wall-clock ms with the nanoseconds as a fraction. */
  readonly at: number;
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly length: number;
}

// "1795334135.361859108 IP 10.227.2.20.37854 > 10.227.2.1.62201: UDP, length 183"
const UDP_LINE = /^(\d+)\.(\d{9}) IP (\d+\.\d+\.\d+\.\d+)\.\d+ > (\d+\.\d+\.\d+\.\d+)\.(\d+): UDP, length (\d+)/;

export function parseUdpLine(line: string): CapturedUdp | undefined {
  const m = UDP_LINE.exec(line);
  if (!m) return undefined;
  return { at: Number(m[1]) * 1000 + Number(m[2]) / 1e6, src: m[3] as string, dst: m[4] as string, dport: Number(m[5]), length: Number(m[6]) };
}

export interface FwknopdCounts {
  /** "SPA Packet from IP: … received with access source match": a datagram fwknopd took from pcap and processed. */
  readonly handled: number;
  /** Refusals it logged (bad HMAC, undecodable, replay, age, …). */
  readonly rejected: number;
  /** "Running CMD_CYCLE_OPEN command". */
  readonly opened: number;
}

const FWKNOPD_REJECT = /Error creating fko context|Replay detected|time difference is too great|valid source IP was required|denied per access\.conf|Error on SPA|not a valid|Invalid SPA|SPA packet rejected/i;

/** Counts fwknopd's foreground log (no -v: the lines a deployed fwknopd sends to syslog). */
export function countFwknopdLog(text: string): FwknopdCounts {
  let handled = 0;
  let rejected = 0;
  let opened = 0;
  for (const line of text.split('\n')) {
    if (/SPA Packet from IP: .* received with access source match/.test(line)) handled++;
    else if (/Running CMD_CYCLE_OPEN command/.test(line)) opened++;
    else if (FWKNOPD_REJECT.test(line)) rejected++;
  }
  return { handled, rejected, opened };
}

/** The SPA counters of `portcullis status --json` (counters.spa), reduced to totals. */
export interface SpaTotals {
  readonly packets: number;
  readonly opens: number;
  readonly refused: number;
  readonly byReason: Readonly<Record<string, number>>;
}

export function spaTotals(spa: { readonly packets: number; readonly opens: number; readonly refused: Readonly<Record<string, number>> } | undefined): SpaTotals {
  if (!spa) return { packets: 0, opens: 0, refused: 0, byReason: {} };
  const refused = Object.values(spa.refused).reduce((a, b) => a + b, 0);
  return { packets: spa.packets, opens: spa.opens, refused, byReason: { ...spa.refused } };
}

/** after − before, reason by reason (only the reasons that moved). */
export function diffTotals(after: SpaTotals, before: SpaTotals): SpaTotals {
  const byReason: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byReason)) {
    const d = v - (before.byReason[k] ?? 0);
    if (d !== 0) byReason[k] = d;
  }
  return { packets: after.packets - before.packets, opens: after.opens - before.opens, refused: after.refused - before.refused, byReason };
}
