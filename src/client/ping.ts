// ICMP knocks go through the system ping: Node has no raw sockets. This file
// only builds the command line and reads the outcome; net-io.ts runs it.
//
// A payload rides in ping's fill pattern (-p, at most 16 bytes, repeated to
// fill the data), sized with -s so the echo data holds the payload whole:
//  - iputils (Linux): the pattern starts at data offset 0, but with -s >= 16
//    the first 16 bytes are overwritten by a timestamp. So -s n (n < 16) sends
//    exactly the payload, and a 16-byte payload needs -s 32 (copy at 16..31).
//  - BSD / macOS: the pattern starts after an 8-byte timestamp: -s 8+n.
//  - Windows ping cannot set the data, so ICMP payload knocks are refused there.
import { KnockError } from './errors.js';

/** ping -p takes at most 16 pattern bytes on every ping we drive. */
export const MAX_ICMP_PAYLOAD = 16;

export interface PingCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * The ping invocation that sends one echo request to `address`. The address
 * is a literal IP, so ping picks the family itself (BSD needs ping6 for v6).
 */
export function pingCommand(platform: NodeJS.Platform, address: string, family: 4 | 6, payload?: Uint8Array): PingCommand {
  if (payload && payload.length > MAX_ICMP_PAYLOAD) {
    throw new KnockError('KNOCK_UNSUPPORTED',
      `an ICMP payload is sent as ping's -p pattern, which holds at most ${MAX_ICMP_PAYLOAD} bytes; this one has ${payload.length}`);
  }
  const hex = payload ? Buffer.from(payload).toString('hex') : '';
  switch (platform) {
    case 'linux': {
      const size = payload ? (payload.length < 16 ? payload.length : 32) : undefined;
      const data = size === undefined ? [] : ['-p', hex, '-s', String(size)];
      return { file: 'ping', args: ['-n', '-c', '1', '-W', '1', ...data, address] };
    }
    case 'darwin':
    case 'freebsd': {
      const data = payload ? ['-p', hex, '-s', String(8 + payload.length)] : [];
      // ping6 on macOS has no -t; ping's -t bounds the wait for a reply (seconds).
      return family === 6
        ? { file: 'ping6', args: ['-n', '-c', '1', ...data, address] }
        : { file: 'ping', args: ['-n', '-c', '1', '-t', '2', ...data, address] };
    }
    case 'win32':
      if (payload) {
        throw new KnockError('KNOCK_UNSUPPORTED', 'Windows ping cannot choose the echo data, so icmp:payload=... knocks cannot be sent from Windows');
      }
      return { file: 'ping', args: ['-n', '1', '-w', '1000', address] };
    default:
      throw new KnockError('KNOCK_UNSUPPORTED', `icmp knocks need iputils ping (Linux) or BSD ping; no known ping for platform ${platform}`);
  }
}

/**
 * Whether ping sent its request. A missing reply is fine (the knock went
 * out; many servers drop echo requests), so a non-zero exit only counts as
 * failure when ping did not report "1 packets transmitted" / "Sent = 1".
 */
export function pingSent(exitCode: number | null, stdout: string): boolean {
  if (exitCode === 0) return true;
  return /\b1 packets? transmitted/.test(stdout) || /Sent = 1\b/.test(stdout);
}
