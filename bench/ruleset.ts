// The bench's firewall and door: both daemons run exactly this config, so
// they run exactly the same start command against exactly the same set.

export const TABLE = 'inet bench';
export const SET = 'allowed';
/** The port the set guards; nothing listens there, it only gives the set a purpose. */
export const GUARDED_PORT = 22;
export const SEQUENCE = [7000, 8000, 9000] as const;
export const START_COMMAND = `nft add element ${TABLE} ${SET} { %IP% }`;

export function benchRuleset(): string {
  return `table ${TABLE} {
  set ${SET} { type ipv4_addr; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport ${GUARDED_PORT} ip saddr @${SET} accept
    tcp dport ${GUARDED_PORT} drop
  }
}
`;
}

/**
 * knockd.conf text, read by both daemons. No stop command: the bench deletes
 * each element itself, so every knock runs the start command once.
 */
export function benchConfig(): string {
  return `[options]

[bench]
    sequence      = ${SEQUENCE.join(',')}
    seq_timeout   = 5
    tcpflags      = syn
    start_command = ${START_COMMAND}
`;
}

/** argv (for `nft`) that removes `ip` from the set. */
export function deleteElementArgv(ip: string): string[] {
  return ['nft', 'delete', 'element', ...TABLE.split(' '), SET, `{ ${ip} }`];
}

export function addElementArgv(ip: string): string[] {
  return ['nft', 'add', 'element', ...TABLE.split(' '), SET, `{ ${ip} }`];
}
