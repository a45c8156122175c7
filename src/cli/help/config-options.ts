// Reference of the [options] section (src/config/options.ts OPTION_KEYS).
// How to add a key: see reference.ts.
import type { ConfigSection } from './model.js';

export const OPTIONS_SECTION: ConfigSection = {
  id: 'options',
  title: '[options]',
  intro: ['Settings of the daemon as a whole. knockd 0.8\'s four keys mean what they meant there.'],
  keys: [
    { key: 'UseSyslog', value: '', default: 'off', origin: 'knockd', help: '(a bare word) also log to syslog' },
    { key: 'LogFile', value: 'PATH', default: 'none', origin: 'knockd', help: 'also log to this file (`[YYYY-MM-DD HH:MM] message`, as knockd); reopened on SIGHUP' },
    { key: 'PidFile', value: 'PATH', default: '`/run/portcullis.pid` with `-d`', origin: 'knockd', help: 'pid file' },
    { key: 'Interface', value: 'IF[, IF...]', default: 'the default-route interface, else `eth0`', origin: 'knockd', help: 'interfaces to capture on; `any` for all; `serve -i` wins. knockd took one name' },
    { key: 'StateDir', value: 'DIR', default: '`$STATE_DIRECTORY`, else `/var/lib/portcullis`', origin: 'portcullis', help: 'where pending stop commands, firewall grants and the SPA replay cache are kept across restarts; `--state-dir` wins' },
    { key: 'Decoys', value: 'auto | off | LIST', default: '`auto`', origin: 'portcullis', help: 'ports whose hit fails an attempt in flight and counts as a failure. `auto`: every port outside the sequences that the host does not serve (its listening sockets, kept current; UDP\'s ephemeral range excluded). `off`: knockd\'s behaviour. LIST: e.g. `1-1023:tcp, 3000-3999, 53:udp`' },
    { key: 'FailureLimit', value: 'N', default: '5', origin: 'portcullis', help: 'failures (failed attempts and decoy hits) within `FailureWindow` that get a source ignored' },
    { key: 'FailureWindow', value: 'SECONDS', default: '60', origin: 'portcullis', help: 'the window `FailureLimit` counts in' },
    { key: 'BanTime', value: 'SECONDS', default: '300', origin: 'portcullis', help: 'how long such a source is ignored; `0` turns banning off. Failures are failed knock attempts, decoy hits and refused SPA packets (wrong keys, replays, disallowed sources or ports); knock and SPA doors share one ban list. With the nftables and ipset backends each ban is also a kernel set element (`banned4`/`banned6`, `portcullis_ban4`/`portcullis_ban6`) that drops the source on every guarded port and expires by itself' },
    { key: 'BanExempt', value: 'CIDR[, CIDR…]', default: 'none', origin: 'portcullis', help: 'sources never counted as failing nor banned, e.g. `10.0.0.0/8, 2001:db8::/32`; several lines add up. Spoofed packets can get any address banned: list the networks your administrators and clients come from' },
    { key: 'SPA_Rate_Limit', value: 'N/second [burst M] | off', default: '`20/second burst 20`', origin: 'portcullis', help: 'with the nftables backend, the kernel drops a source\'s packets to the SPA ports beyond this rate (per source; read at start). Other backends: no kernel limit' },
    { key: 'MaxAttempts', value: 'N', default: '65536', origin: 'portcullis', help: 'attempts in flight at most; when full, the oldest attempt still at its first step is dropped (else the oldest). Allocated at start (about 106 bytes each: ~7 MB by default)' },
    { key: 'MaxTrackedSources', value: 'N', default: '65536', origin: 'portcullis', help: 'failing sources, banned sources and cooldowns: each table remembers at most this many (oldest dropped first); allocated at start (~6 MB each by default)' },
    { key: 'Max_SPA_Packet_Age', value: 'SECONDS', default: '120', origin: 'fwknop', help: 'SPA packets whose timestamp is further than this from the daemon\'s clock, either way, are refused (1-100000); fwknopd.conf\'s `MAX_SPA_PACKET_AGE`' },
    { key: 'ControlSocket', value: 'PATH', default: '`$RUNTIME_DIRECTORY/control.sock`, else `/run/portcullis/control.sock`', origin: 'portcullis', help: 'the socket (mode 0600, the daemon\'s user only) of `status`, `revoke` and `reload`; `--control-socket` wins. Use an absolute path; a change needs a restart' },
    { key: 'Firewall', value: 'nftables | iptables | ipset | firewalld | command', default: 'nftables if `nft` works here, else iptables (logged)', origin: 'portcullis', help: 'the backend for doors with `Open`/`Forward`. `command` allows only start/stop commands. Read at start (a reload keeps the backend)' },
    { key: 'Firewalld_Zone', value: 'NAME', default: 'firewalld\'s default zone', origin: 'portcullis', help: 'the zone the firewalld backend adds its rich rules to. At start Portcullis refuses a zone that already accepts a protected port from every source and prints the `firewall-cmd` command that fixes it' },
    { key: 'Nft_Table', value: 'NAME | FAMILY NAME', default: '`portcullis`', origin: 'portcullis', help: 'one word: Portcullis\'s own `inet` table of that name (self-contained). A family and a name (`inet filter`): a table of yours; Portcullis only keeps the sets `portcullis_grants4/6` there and your chain references them (integrated)' },
    { key: 'Nft_Priority', value: 'N', default: '-10', origin: 'portcullis', help: 'priority of the own table\'s filter chains (-1000...1000; filter is 0)' },
    { key: 'Close_On_Exit', value: 'yes | no', default: '`yes`', origin: 'portcullis', help: 'on SIGTERM, close grants the firewall would not expire by itself; kernel-expiring grants (nftables, ipset, iptables) are always left to expire' },
    { key: 'Metrics_Listen', value: 'IPV4:PORT | [IPV6]:PORT', default: 'none (no listener)', origin: 'portcullis', help: 'serve Prometheus metrics (`GET /metrics`, text format 0.0.4) on this literal address, e.g. `127.0.0.1:9742`. Any address is accepted: the metrics name your doors, so keep it on loopback or a management network. Read at start. See docs/metrics.md' },
    { key: 'Syslog_Remote', value: 'udp://ADDRESS[:PORT] | tcp://ADDRESS[:PORT]', default: 'none', origin: 'portcullis', help: 'forward security events (opens, grants, bans, SPA accepts and refusals, firewall errors, start/stop, reloads) to this collector as RFC 5424 messages; port 514 by default; IPv6 in brackets (`tcp://[2001:db8::1]:6514`). UDP: one datagram each; TCP: octet-counted frames, reconnected with backoff. Never blocks: a bounded queue, drops counted. Read at start. See docs/logging.md' },
    { key: 'Syslog_Remote_Facility', value: 'NAME', default: '`auth`', origin: 'portcullis', help: 'the facility of the forwarded messages: kern user mail daemon auth syslog lpr news uucp cron authpriv ftp local0...local7' },
  ],
};
