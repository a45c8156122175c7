// Reference entries of the commands that run on the server: serve, check,
// rules, doctor. How to add to them: see reference.ts.
import type { CommandHelp, OptionHelp } from './model.js';

export const DEFAULT_CONFIG = '/etc/knockd.conf';

const CONFIG: OptionHelp = { long: 'config', short: 'c', arg: 'FILE', help: `config file (knockd.conf syntax, portcullis.conf(5)); default \`${DEFAULT_CONFIG}\`` };
const INTERFACE: OptionHelp = {
  long: 'interface', short: 'i', arg: 'IF', repeat: true,
  help: 'interface(s) to listen on; repeat or comma-separate; `any` for all (default: the config\'s `Interface`, else the default-route interface, else `eth0`)',
};
const IPV4: OptionHelp = { long: 'only-ip-v4', short: '4', help: 'ignore IPv6' };

export const SERVE: CommandHelp = {
  name: 'serve',
  summary: 'run the knock daemon (knockd-compatible)',
  synopsis: ['serve [-c FILE] [-i IF[,IF...]] [-d] [-p PIDFILE] [-g LOGFILE] [-4] [-v] [-D] [--state-dir DIR] [--log-format text|json] [--control-socket PATH] [--fwknop-access FILE]'],
  description: [
    'The daemon. It captures packets on the interfaces (libpcap with an in-kernel BPF filter), follows every source through the doors\' knock sequences, checks SPA packets, and opens a door for the source that completes it: a firewall grant (`Open`, `Forward`) or knockd\'s start and stop commands. It accepts knockd\'s command line and config file.',
    'It runs in the foreground by default (for systemd); `-d` detaches and writes the pid file. SIGHUP re-reads the config, validating it first: a config with errors is reported and the old one keeps running. SIGTERM and SIGINT stop it cleanly.',
    'It needs CAP_NET_RAW (capture) and CAP_NET_ADMIN (firewall), not full root: the packaged systemd unit runs it as the user `portcullis` with only these two capabilities. Start and stop commands inherit them.',
  ],
  options: [
    CONFIG,
    INTERFACE,
    { long: 'daemon', short: 'd', help: 'detach and write the pid file' },
    { long: 'pidfile', short: 'p', arg: 'FILE', help: 'pid file (default `/run/portcullis.pid` with `-d`, or the config\'s `PidFile`)' },
    { long: 'logfile', short: 'g', arg: 'FILE', help: 'log file (overrides the config\'s `LogFile`)' },
    IPV4,
    { long: 'verbose', short: 'v', help: 'also log why attempts fail' },
    { long: 'debug', short: 'D', help: 'log everything, including the capture filter' },
    { long: 'lookup', short: 'l', help: 'accepted for knockd compatibility; Portcullis never does DNS in the packet path' },
    { long: 'state-dir', arg: 'DIR', help: 'where pending stop commands, grants and the SPA replay cache are kept (default `$STATE_DIRECTORY`, else `/var/lib/portcullis`)' },
    { long: 'log-format', arg: 'FORMAT', help: '`text` (default) or `json`' },
    { long: 'control-socket', arg: 'PATH', help: 'the socket of `status`, `revoke` and `reload` (default: the config\'s `ControlSocket`, else `$RUNTIME_DIRECTORY/control.sock`, else `/run/portcullis/control.sock`)' },
    { long: 'fwknop-access', arg: 'FILE', help: 'also serve the stanzas of an fwknopd access.conf (e.g. `/etc/fwknop/access.conf`) as SPA doors `[fwknop-1]`, `[fwknop-2]`, ..., in file order; options Portcullis does not support yet are errors naming the line and what to do instead' },
    { long: 'version', short: 'V', help: 'print the version' },
  ],
  exitStatus: '0 after a clean stop (or, with `-d`, once the detached daemon has written its pid file); 1 when the command line or the config is not valid or start-up fails.',
  examples: [
    { command: 'portcullis serve -c /etc/knockd.conf -i eth0', help: 'run in the foreground with an existing knockd config' },
    { command: 'portcullis serve -c /etc/portcullis/portcullis.conf --fwknop-access /etc/fwknop/access.conf', help: 'also serve fwknopd\'s SPA stanzas' },
  ],
};

export const CHECK: CommandHelp = {
  name: 'check',
  summary: 'validate a config and show its doors and capture filter',
  synopsis: ['check [-c FILE] [-i IF] [-4]'],
  description: [
    'Validates FILE, prints its doors and the capture filter `serve` would install on this host (its addresses and listening ports now). Every error in the file is reported at once, each as `file:line: key: what is wrong, what is expected`.',
  ],
  options: [CONFIG, INTERFACE, IPV4],
  exitStatus: '0 when the config is valid, 1 when it is not.',
  examples: [{ command: 'portcullis check -c /etc/knockd.conf', help: 'before replacing knockd with Portcullis' }],
};

export const RULES: CommandHelp = {
  name: 'rules',
  summary: 'print the doors as kernel rules (iptables recent, nftables sets): no daemon',
  synopsis: ['rules [-c FILE] --target iptables|ip6tables|nftables [--door NAME]...'],
  description: [
    'Prints a ruleset that runs the doors of FILE in the kernel, with no daemon in the packet path: `iptables-restore --noflush` input (own chains, one `recent` list per stage; jump to `PORTCULLIS-RULES` from INPUT) or an `nft -f` script (own table `inet portcullis_rules`, one timeout set per stage and family). It only prints; loading the rules is the administrator\'s step.',
  ],
  options: [
    CONFIG,
    { long: 'target', short: 't', arg: 'TARGET', help: '`iptables`, `ip6tables` or `nftables` (required)' },
    { long: 'door', arg: 'NAME', repeat: true, help: 'only this door (repeat it for several); default: every door' },
  ],
  exitStatus: '0 when the rules were printed; 1 on a usage error, an invalid config, or a door the kernel cannot express (each named, with the reason).',
  examples: [
    { command: 'portcullis rules -c /etc/portcullis.conf --target nftables | nft -f -', help: 'load the doors into nftables' },
    { command: 'portcullis rules -c /etc/portcullis.conf --target iptables | iptables-restore --noflush', help: 'or into iptables (then `iptables -I INPUT 1 -j PORTCULLIS-RULES` once)' },
  ],
};

export const DOCTOR: CommandHelp = {
  name: 'doctor',
  summary: 'check this host for what stops knocks from working, with fixes',
  synopsis: ['doctor [-c FILE] [-i IF] [--state-dir DIR] [--control-socket PATH] [--json]'],
  description: [
    'Checks this host for what stops knocks from working: the config, the capture interface (exists, up, sees traffic, permission), the firewall backend, whether the doors\' ports are closed without a grant and really open with one (other tables, ufw, firewalld, Docker), established connections, that a banned source is dropped even with a grant (nftables), and who may read or change Portcullis\'s files. Prints one `ok`/`warn`/`FAIL` line per check; each problem comes with its `fix:`.',
  ],
  options: [
    CONFIG,
    { long: 'interface', short: 'i', arg: 'IF', repeat: true, help: 'interface(s) `serve` listens on (default: as `serve` picks them)' },
    { long: 'state-dir', arg: 'DIR', help: '`serve`\'s `--state-dir`, if it uses one' },
    { long: 'control-socket', arg: 'PATH', help: '`serve`\'s `--control-socket`, if it uses one' },
    { long: 'json', help: 'print the findings as a JSON array' },
  ],
  exitStatus: '0 when nothing is broken (warnings allowed), 1 when something is.',
};
