// knockd.conf text for the doors the end-to-end tests use: the start command
// lets the knocker through the lab firewall (see nft.ts), the stop command
// takes it back out.

export interface DoorOptions {
  readonly name?: string;
  /** knockd syntax: "7000,8000:udp,9000". */
  readonly sequence: string;
  readonly seqTimeout?: number;
  readonly cmdTimeout?: number;
  /** TCPFlags value; default "syn" (every TCP knock is a connection attempt). */
  readonly tcpFlags?: string;
  /** Without a stop command the grant stays until the test ends. Default true. */
  readonly stop?: boolean;
  /** Extra `key = value` lines for the door. */
  readonly extra?: readonly string[];
}

export function labDoor(opts: DoorOptions): string {
  const lines = [
    `[${opts.name ?? 'openSSH'}]`,
    `    sequence        = ${opts.sequence}`,
    `    seq_timeout     = ${opts.seqTimeout ?? 5}`,
    `    tcpflags        = ${opts.tcpFlags ?? 'syn'}`,
    '    start_command   = nft add element inet lab allowed4 { %IP% }',
    '    start_command_6 = nft add element inet lab allowed6 { %IP% }',
  ];
  if (opts.stop ?? true) {
    lines.push(
      `    cmd_timeout     = ${opts.cmdTimeout ?? 10}`,
      '    stop_command    = nft delete element inet lab allowed4 { %IP% }',
      '    stop_command_6  = nft delete element inet lab allowed6 { %IP% }',
    );
  }
  lines.push(...(opts.extra ?? []).map((l) => `    ${l}`));
  return lines.join('\n') + '\n';
}

/** A whole config file: an [options] section (may be empty) and doors. */
export function labConfig(options: readonly string[], ...doors: string[]): string {
  const head = options.length > 0 ? `[options]\n${options.map((o) => `    ${o}\n`).join('')}\n` : '';
  return head + doors.join('\n');
}

/**
 * A log line about `ip` on a door, in the format knockd and portcullis share:
 * `IP: DOOR: EVENT` (e.g. "OPEN SESAME", "Stage 2", "command timeout"),
 * after a knockd-style prefix if any.
 */
export function doorEvent(ip: string, event: string, door = 'openSSH'): RegExp {
  return new RegExp(`(^|\\s)${escapeRegExp(ip)}: ${escapeRegExp(door)}: ${event}\\s*$`);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
