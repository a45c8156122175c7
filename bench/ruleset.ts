// The bench's firewall and doors. Portcullis (command) and knockd run exactly
// the same config, so they run exactly the same start command against exactly
// the same set; Portcullis with its nftables backend runs the same door with
// `open =` instead of a command, and keeps its grants in its own table.

export const TABLE = 'inet bench';
export const SET = 'allowed';
/** The port the set guards; nothing listens there, it only gives the set a purpose. */
export const GUARDED_PORT = 22;
export const SEQUENCE = [7000, 8000, 9000] as const;
export const START_COMMAND = `nft add element ${TABLE} ${SET} { %IP% }`;
/** How long the nftables backend keeps a grant (its kernel timeout). */
export const OPEN_TIMEOUT_S = 30;

/** A set a daemon opens the door in, and how an address's element is written there. */
export interface GrantSet {
  readonly table: string;
  readonly set: string;
  /** The element for `ip` (the set's key). */
  element(ip: string): string;
}

/** Where the start command puts the address (Portcullis with commands, and knockd). */
export const BENCH_SET: GrantSet = { table: TABLE, set: SET, element: (ip) => ip };

/** Where Portcullis's nftables backend keeps an IPv4 grant (src/firewall/nft-script.ts). */
export const GRANTS_SET: GrantSet = {
  table: 'inet portcullis',
  set: 'grants4',
  element: (ip) => `${ip} . tcp . ${GUARDED_PORT}`,
};

/** The sets nft monitor watches. */
export const WATCHED_SETS: readonly GrantSet[] = [BENCH_SET, GRANTS_SET];

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

const DOOR = `[bench]
    sequence      = ${SEQUENCE.join(',')}
    seq_timeout   = 5
    tcpflags      = syn
`;

/**
 * knockd.conf text, read by knockd and by Portcullis (command). No stop
 * command: the bench deletes each element itself, so every knock runs the
 * start command once.
 */
export function benchConfig(): string {
  return `[options]

${DOOR}    start_command = ${START_COMMAND}
`;
}

/**
 * The same door for Portcullis's nftables backend: no commands; the grant is
 * an element of `inet portcullis grants4` with a kernel timeout.
 */
export function nftBenchConfig(): string {
  return `[options]
    firewall      = nftables

${DOOR}    open          = tcp/${GUARDED_PORT}
    open_timeout  = ${OPEN_TIMEOUT_S}
`;
}

/** argv (for `nft`) that removes `ip`'s element from `set`. */
export function deleteElementArgv(ip: string, set: GrantSet = BENCH_SET): string[] {
  return ['nft', 'delete', 'element', ...set.table.split(' '), set.set, `{ ${set.element(ip)} }`];
}

export function addElementArgv(ip: string, set: GrantSet = BENCH_SET): string[] {
  return ['nft', 'add', 'element', ...set.table.split(' '), set.set, `{ ${set.element(ip)} }`];
}
