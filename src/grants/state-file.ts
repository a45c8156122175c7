// The firewall grant state file: every grant the daemon holds, written
// atomically (write, fsync, rename) so a restart or a crash can reconcile
// what the firewall holds with what was granted. Pure: text in, records out.
//
//   {"version":1,"backend":"nftables","grants":[{"door":"ssh","address":"192.0.2.7","family":4,
//     "services":[{"proto":"tcp","port":22}],"forwards":[],"expiresAt":1700000030000}]}
import { formatAddress, parseAddress } from '../config/address.js';
import { PortcullisError } from '../errors.js';
import type { Service } from '../firewall/backend.js';
import type { GrantForward, GrantRecord } from './record.js';

export class GrantStateError extends PortcullisError {}

const VERSION = 1;

export function serializeGrantState(backend: string, grants: Iterable<GrantRecord>): string {
  return `${JSON.stringify({ version: VERSION, backend, grants: [...grants] }, null, 1)}\n`;
}

export interface ParsedGrantState {
  readonly backend: string;
  readonly grants: GrantRecord[];
  /** One message per record that was not usable and was left out. */
  readonly rejected: string[];
}

/** Throws GrantStateError (STATE_FILE_CORRUPT) if the text is not a grant state file at all. */
export function parseGrantState(text: string): ParsedGrantState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new GrantStateError('STATE_FILE_CORRUPT', `not JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc) || doc['version'] !== VERSION || typeof doc['backend'] !== 'string' || !Array.isArray(doc['grants'])) {
    throw new GrantStateError('STATE_FILE_CORRUPT', `not a version ${VERSION} firewall grant file`);
  }
  const grants: GrantRecord[] = [];
  const rejected: string[] = [];
  doc['grants'].forEach((item: unknown, i: number) => {
    const g = toRecord(item);
    if (g) grants.push(g);
    else rejected.push(`entry ${i}: ${JSON.stringify(item)}`);
  });
  return { backend: doc['backend'], grants, rejected };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function canonical(text: unknown, family?: 4 | 6): string | undefined {
  const a = typeof text === 'string' ? parseAddress(text) : undefined;
  if (!a || (family !== undefined && a.family !== family)) return undefined;
  return formatAddress(a);
}

function toService(v: unknown): Service | undefined {
  if (!isObject(v)) return undefined;
  const { proto, port } = v;
  if ((proto !== 'tcp' && proto !== 'udp') || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { proto, port };
}

function toForward(v: unknown, family: 4 | 6): GrantForward | undefined {
  if (!isObject(v)) return undefined;
  const service = toService(v['service']);
  const host = canonical(v['host'], family);
  const port = toService({ proto: 'tcp', port: v['port'] })?.port;
  return service && host && port ? { service, host, port } : undefined;
}

function toRecord(v: unknown): GrantRecord | undefined {
  if (!isObject(v)) return undefined;
  const { door, family, expiresAt, services, forwards } = v;
  if (typeof door !== 'string' || (family !== 4 && family !== 6)) return undefined;
  const address = canonical(v['address'], family);
  if (!address || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  if (!Array.isArray(services) || !Array.isArray(forwards)) return undefined;
  const s = services.map(toService);
  const f = forwards.map((x) => toForward(x, family));
  if (s.some((x) => x === undefined) || f.some((x) => x === undefined)) return undefined;
  return { door, address, family, services: s as Service[], forwards: f as GrantForward[], expiresAt };
}
