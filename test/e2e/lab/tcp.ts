// Tiny node programs run inside a namespace: a TCP client that reports what
// happened, and a TCP service that greets and hangs up.

export interface TcpProbe {
  readonly connected: boolean;
  /** What the service sent before closing (the lab service sends "hello\n"). */
  readonly reply: string;
  /** ECONNREFUSED, ETIMEDOUT, ... when not connected. */
  readonly error?: string;
}

// argv: host port timeoutMs. Prints one JSON line. The timer starts once node
// is up, so a busy machine's start-up time does not count as a timeout.
export const PROBE_SCRIPT = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const limit = Number(ms);
let reply = '';
let connected = false;
const done = (error) => {
  process.stdout.write(JSON.stringify(error ? { connected, reply, error } : { connected, reply }) + '\\n');
  process.exit(0);
};
const sock = net.connect({ host, port: Number(port) });
sock.setEncoding('utf8');
const timer = setTimeout(() => done(connected ? undefined : 'ETIMEDOUT'), limit);
sock.on('connect', () => { connected = true; });
sock.on('data', (d) => { reply += d; });
sock.on('end', () => { clearTimeout(timer); done(); });
sock.on('error', (e) => { clearTimeout(timer); done(e.code || e.message); });
`;

// argv: port. Listens on all IPv4 and IPv6 addresses.
export const SERVICE_SCRIPT = `
const net = require('node:net');
const port = Number(process.argv[1]);
const server = net.createServer((s) => { s.on('error', () => {}); s.end('hello\\n'); });
server.listen({ port, host: '::', ipv6Only: false }, () => console.log('listening on ' + port));
process.on('SIGTERM', () => process.exit(0));
`;

export function parseProbe(stdout: string, stderr: string): TcpProbe {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as TcpProbe;
  } catch {
    return { connected: false, reply: '', error: `probe failed: ${stdout} ${stderr}`.trim() };
  }
}
