// cmd_exec_user / cmd_exec_group names to ids, once at daemon start and at
// each reload (never per packet): the edge around the pure config parser. The
// lookup is `getent` (NSS: /etc/passwd, LDAP, systemd-userdb alike), an
// interface so unit tests use a table.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/model.js';

export interface CommandIdentity {
  readonly uid: number;
  readonly gid: number;
  /** As written, for log lines: `user` or `user:group`. */
  readonly name: string;
}

export interface IdentityLookup {
  /** The user's uid and primary gid; undefined if there is no such user. */
  user(name: string): { uid: number; gid: number } | undefined;
  group(name: string): number | undefined;
}

/** passwd/group entries through getent(1), with an argument array and a time limit. */
export class GetentLookup implements IdentityLookup {
  user(name: string): { uid: number; gid: number } | undefined {
    const f = getent('passwd', name);
    if (!f || f.length < 4) return undefined;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  }

  group(name: string): number | undefined {
    const f = getent('group', name);
    const gid = f && f.length >= 3 ? Number(f[2]) : NaN;
    return Number.isInteger(gid) ? gid : undefined;
  }
}

function getent(db: 'passwd' | 'group', key: string): string[] | undefined {
  try {
    const out = execFileSync('getent', [db, key], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n')[0]!.split(':');
  } catch {
    return undefined; // exit 2: no such entry (or no getent: nothing resolves, and start fails saying so)
  }
}

/** A fixed table, for tests. */
export class TableLookup implements IdentityLookup {
  constructor(private readonly users: Readonly<Record<string, { uid: number; gid: number }>>, private readonly groups: Readonly<Record<string, number>> = {}) {}
  user(name: string) { return this.users[name]; }
  group(name: string) { return this.groups[name]; }
}

/** Who the daemon is: it can run a command as someone else only as root or with CAP_SETUID and CAP_SETGID. */
export interface SelfIdentity {
  readonly uid: number;
  readonly gid: number;
  readonly canSwitch: boolean;
}

// capability(7) numbers.
const CAP_SETGID = 6n;
const CAP_SETUID = 7n;

/** This process: its ids, and its effective capabilities from /proc/self/status. */
export function selfIdentity(): SelfIdentity {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  let caps = 0n;
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hex) caps = BigInt(`0x${hex}`);
  } catch { /* no /proc: root or nothing */ }
  const has = (bit: bigint) => ((caps >> bit) & 1n) === 1n;
  return { uid, gid, canSwitch: uid === 0 || (has(CAP_SETUID) && has(CAP_SETGID)) };
}

export type Identities = { readonly ok: true; readonly ids: ReadonlyMap<string, CommandIdentity> } | { readonly ok: false; readonly messages: readonly string[] };

/**
 * The identity of every door with enable_cmd_exec = yes, by door name, or
 * every name that does not resolve as `FILE:LINE: key: …`. A user other than
 * `root` whose uid is 0 is refused: running as root must be written as root.
 */
export function resolveIdentities(config: Config, lookup: IdentityLookup, self: SelfIdentity = { uid: 0, gid: 0, canSwitch: true }): Identities {
  const ids = new Map<string, CommandIdentity>();
  const messages: string[] = [];
  for (const door of config.doors) {
    const c = door.spa?.commandExec;
    if (!c) continue;
    const user = lookup.user(c.user);
    if (!user) {
      messages.push(`${config.file}:${c.userLine}: cmd_exec_user: [${door.name}]: no user "${c.user}" on this host (getent passwd); expected an existing account to run its command messages as, e.g. nobody or one made with useradd --system`);
      continue;
    }
    if (user.uid === 0 && c.user !== 'root') {
      messages.push(`${config.file}:${c.userLine}: cmd_exec_user: [${door.name}]: "${c.user}" has uid 0; expected a user without root rights, or cmd_exec_user = root to run commands as root on purpose`);
      continue;
    }
    let gid = user.gid;
    if (c.group !== undefined) {
      const g = lookup.group(c.group);
      if (g === undefined) {
        messages.push(`${config.file}:${c.groupLine}: cmd_exec_group: [${door.name}]: no group "${c.group}" on this host (getent group); expected an existing group, or no cmd_exec_group for the user's own`);
        continue;
      }
      gid = g;
    }
    if (!self.canSwitch && (user.uid !== self.uid || gid !== self.gid)) {
      messages.push(`${config.file}:${c.userLine}: cmd_exec_user: [${door.name}]: the daemon runs as uid ${self.uid}, gid ${self.gid} without CAP_SETUID and CAP_SETGID, so it cannot run commands as uid ${user.uid}, gid ${gid}; expected the daemon to run as root (or with both capabilities), or cmd_exec_user naming its own user and group`);
      continue;
    }
    ids.set(door.name, { uid: user.uid, gid, name: c.group !== undefined ? `${c.user}:${c.group}` : c.user });
  }
  return messages.length > 0 ? { ok: false, messages } : { ok: true, ids };
}
