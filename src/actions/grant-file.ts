// The grant state file: every stop command that is still owed, so a restart
// (or a crash) cannot leave a door open forever (knockd #14, #70: knockd keeps
// them only in sleeping child processes). Pure: text in, records out.
//
//   {"version":1,"grants":[{"door":"ssh","ip":"192.0.2.7","family":4,
//     "stop":"iptables -D INPUT -s 192.0.2.7 -p tcp --dport 22 -j ACCEPT","dueAt":1700000010000}]}
import { isIP } from 'node:net';
import { PortcullisError } from '../errors.js';

export interface GrantRecord {
  /** Door name, for log lines. */
  readonly door: string;
  readonly ip: string;
  readonly family: 4 | 6;
  /** The stop command with its substitutions already made. */
  readonly stop: string;
  /** When the stop command is due, in ms since the epoch. */
  readonly dueAt: number;
}

export class GrantFileError extends PortcullisError {}

const VERSION = 1;

export function serializeGrants(grants: Iterable<GrantRecord>): string {
  const list = [...grants].map(({ door, ip, family, stop, dueAt }) => ({ door, ip, family, stop, dueAt }));
  return `${JSON.stringify({ version: VERSION, grants: list }, null, 1)}\n`;
}

export interface ParsedGrants {
  readonly grants: GrantRecord[];
  /** One message per record that was not usable and was left out. */
  readonly rejected: string[];
}

/** Parses the file; throws GrantFileError (STATE_FILE_CORRUPT) if it is not a grant file at all. */
export function parseGrants(text: string): ParsedGrants {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new GrantFileError('STATE_FILE_CORRUPT', `not JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc) || doc['version'] !== VERSION || !Array.isArray(doc['grants'])) {
    throw new GrantFileError('STATE_FILE_CORRUPT', `not a version ${VERSION} grant file`);
  }
  const grants: GrantRecord[] = [];
  const rejected: string[] = [];
  doc['grants'].forEach((item: unknown, i: number) => {
    const record = toRecord(item);
    if (record) grants.push(record);
    else rejected.push(`entry ${i}: ${JSON.stringify(item)}`);
  });
  return { grants, rejected };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toRecord(item: unknown): GrantRecord | undefined {
  if (!isObject(item)) return undefined;
  const { door, ip, family, stop, dueAt } = item;
  if (typeof door !== 'string' || typeof stop !== 'string' || stop === '') return undefined;
  if (typeof ip !== 'string' || (family !== 4 && family !== 6) || isIP(ip) !== family) return undefined;
  if (typeof dueAt !== 'number' || !Number.isFinite(dueAt)) return undefined;
  return { door, ip, family, stop, dueAt };
}
