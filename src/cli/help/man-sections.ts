// The prose of the man pages that belongs to no command or key: the pages'
// descriptions, files, signals, environment, see-also. Same markup as model.ts.

export interface ManSection {
  readonly title: string;
  readonly paragraphs?: readonly string[];
  /** Tagged paragraphs (.TP): tag, then text. */
  readonly items?: readonly (readonly [string, string])[];
}

export const PROGRAM_DESCRIPTION: readonly string[] = [
  'Portcullis hides a service (SSH, RDP, a VPN) behind a closed firewall and opens it, for one client address and for a while, only after that client proves it may connect: with a secret sequence of TCP/UDP/ICMP knocks on closed ports (knockd\'s doors, read from an unchanged `/etc/knockd.conf`), or with one fwknop-compatible Single Packet Authorization packet.',
  'The daemon (`portcullis serve`) sees packets at the packet level, so knock ports stay closed and the host stays silent to scanners; native firewall backends (nftables, iptables, ipset, firewalld) open a door for the knocker and expire it in the kernel. The clients (`knock`, `spa`) interoperate with knockd and fwknopd. The configuration is described in portcullis.conf(5).',
];

export const PROGRAM_SECTIONS: readonly ManSection[] = [
  {
    title: 'SIGNALS',
    items: [
      ['SIGHUP', 're-read the config file (validated first; with errors the old config stays) and reopen the log file; `portcullis reload` does the same over the control socket'],
      ['SIGTERM, SIGINT', 'stop cleanly: grants the firewall does not expire by itself are closed (`Close_On_Exit`), pending stop commands are kept in the state directory'],
    ],
  },
  {
    title: 'ENVIRONMENT',
    items: [
      ['STATE_DIRECTORY', 'set by systemd (`StateDirectory=`): the default state directory'],
      ['RUNTIME_DIRECTORY', 'set by systemd (`RuntimeDirectory=`): where the control socket goes by default'],
      ['SPOOF_USER, LOGNAME, USER, HOME', '`portcullis spa`: the username field and the place of `~/.fwknoprc`'],
    ],
  },
  {
    title: 'FILES',
    items: [
      ['/etc/portcullis/portcullis.conf', 'the packaged config (the systemd unit passes it with `-c`)'],
      ['/etc/knockd.conf', 'the default config file of `serve`, `check` and the other commands when `-c` is not given'],
      ['/var/lib/portcullis/', 'the state directory: `firewall-grants.json`, pending stop commands, `spa-replay.json`'],
      ['/run/portcullis/control.sock', 'the control socket of `status`, `revoke` and `reload`'],
      ['/lib/systemd/system/portcullis.service', 'the systemd unit: user `portcullis` with only CAP_NET_RAW and CAP_NET_ADMIN'],
      ['~/.fwknoprc', 'the stanzas of `portcullis spa -n NAME`'],
    ],
  },
  {
    title: 'SECURITY',
    paragraphs: [
      'The daemon needs CAP_NET_RAW to capture and CAP_NET_ADMIN to change the firewall, nothing else; the packaged unit runs it as the unprivileged user `portcullis` with exactly these two (ambient) capabilities, NoNewPrivileges and a read-only file system apart from its state and runtime directories. Start and stop commands run with the same user and capabilities, so a command that needs more (writing under `/etc`, sudo) fails there: use `Open`/`Forward` grants, or run as root with a unit of your own.',
    ],
  },
];

export const CONFIG_DESCRIPTION: readonly string[] = [
  'The file is knockd.conf: an `[options]` section and one section per door, `key = value` lines, keys case-insensitive, `#` comment lines. Everything knockd 0.8 accepts means the same here; what knockd silently accepted as nonsense is refused with `file:line: key: what is wrong, what is expected`, and every error in the file is reported at once (`portcullis check`).',
  'Values in SECONDS are whole seconds. Keys marked knockd or fwknop come from knockd 0.8\'s knockd.conf and fwknopd\'s access.conf or fwknopd.conf and mean what they mean there; the others are Portcullis\'s.',
];

export const SEE_ALSO_PROGRAM = ['portcullis.conf(5)', 'knockd(1)', 'knock(1)', 'fwknop(8)', 'fwknopd(8)', 'nft(8)', 'iptables(8)', 'systemd.exec(5)'];
export const SEE_ALSO_CONFIG = ['portcullis(8)', 'knockd(1)', 'fwknopd(8)'];
