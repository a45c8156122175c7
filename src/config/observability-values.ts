// Values of the observability options: `metrics_listen = 127.0.0.1:9742`,
// `syslog_remote = udp://10.1.2.3:514 | tcp://[2001:db8::1]:6514` and
// `syslog_remote_facility = auth`. Addresses are literals only: a name would
// need DNS, and the daemon never resolves names.
import { formatAddress, parseAddress } from './address.js';
import { InvalidValueError } from './errors.js';

export interface HostPort {
  /** Canonical literal address (no brackets). */
  readonly host: string;
  readonly family: 4 | 6;
  readonly port: number;
}

export interface SyslogRemote extends HostPort {
  readonly transport: 'udp' | 'tcp';
}

const PORT = /^[1-9][0-9]{0,4}$/;

function parsePort(text: string, example: string): number {
  const n = Number(text);
  if (!PORT.test(text) || n > 65535) throw new InvalidValueError('CONFIG_BAD_PORT', `"${text}" is not a port number; expected 1-65535, e.g. ${example}`);
  return n;
}

/** `IPv4:PORT` or `[IPv6]:PORT`; with `defaultPort`, the port may be left out. */
export function parseHostPort(text: string, example: string, defaultPort?: number): HostPort {
  const bad = (): never => {
    throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${text}" is not an address and port; expected IPV4:PORT or [IPV6]:PORT with a literal address, e.g. ${example}`);
  };
  let hostText: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    hostText = bracketed[1]!;
    portText = bracketed[2];
    if (!hostText.includes(':')) bad();
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) {
      throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${text}": an IPv6 address must be in brackets; expected [IPV6]:PORT, e.g. [::1]:9742`);
    }
    [hostText, portText] = colons === 1 ? (text.split(':') as [string, string]) : [text, undefined];
  }
  const address = parseAddress(hostText);
  if (!address) bad();
  if (portText === undefined && defaultPort === undefined) {
    throw new InvalidValueError('CONFIG_BAD_PORT', `"${text}" has no port; expected IPV4:PORT or [IPV6]:PORT, e.g. ${example}`);
  }
  const port = portText === undefined ? defaultPort! : parsePort(portText, example);
  return { host: formatAddress(address!), family: address!.family, port };
}

/** `metrics_listen`: where GET /metrics is served. */
export function parseMetricsListen(text: string): HostPort {
  return parseHostPort(text.trim(), '127.0.0.1:9742');
}

/** `syslog_remote`: `udp://ADDRESS[:PORT]` or `tcp://ADDRESS[:PORT]`, port 514 by default. */
export function parseSyslogRemote(text: string): SyslogRemote {
  const m = /^(udp|tcp):\/\/(.+)$/i.exec(text.trim());
  if (!m) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a syslog collector; expected udp://ADDRESS[:PORT] or tcp://ADDRESS[:PORT] with a literal address, e.g. udp://10.1.2.3:514 or tcp://[2001:db8::1]:6514`);
  }
  const transport = m[1]!.toLowerCase() as 'udp' | 'tcp';
  return { transport, ...parseHostPort(m[2]!, `${transport}://10.1.2.3:514`, 514) };
}

/** RFC 5424 §6.2.1 facility codes. */
export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** `syslog_remote_facility`: a facility name (default auth: these are security events). */
export function parseFacility(text: string): number {
  const code = FACILITIES[text.trim().toLowerCase()];
  if (code === undefined) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a syslog facility; expected one of ${Object.keys(FACILITIES).join(', ')}`);
  }
  return code;
}
