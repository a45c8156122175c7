// The real KnockIO, on node:net, node:dgram, node:dns and the system ping:
// no native modules, so it runs the same on Linux, macOS and Windows.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { KnockError } from './errors.js';
import type { KnockIO, Resolved } from './knock.js';
import { pingCommand, pingSent } from './ping.js';

/** Errors that still mean the SYN went out: the far end answered or went quiet. */
const SYN_SENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);
/** Wait between --verify attempts that were refused (the door's command may still be running). */
const VERIFY_RETRY_MS = 200;
/** Upper bound on one ping run (it waits at most ~2 s for a reply). */
const PING_TIMEOUT_MS = 5_000;

export const netIO: KnockIO = {
  async resolve(host, family) {
    const { address, family: got } = await lookup(host, { family });
    return { address, family: got === 6 ? 6 : 4 };
  },
  sendTcp,
  sendUdp,
  sendIcmp,
  sleep: (ms) => delay(ms),
  connect,
};

/**
 * One SYN and no more: start a non-blocking connect and close the socket
 * right after the connect() call, before any handshake can finish, as knock
 * did. The kernel answers a later SYN-ACK with an RST; nothing is retried.
 */
function sendTcp(to: Resolved, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new net.Socket();
    let done = false;
    const finish = (err?: NodeJS.ErrnoException): void => {
      if (done) return;
      done = true;
      socket.destroy();
      if (err && !SYN_SENT.has(err.code ?? '')) reject(err);
      else resolve();
    };
    socket.on('error', finish);
    socket.once('connect', () => finish());
    socket.connect({ host: to.address, port, family: to.family });
    // For a literal address net runs connect() on the next tick; an immediate
    // callback runs after it, and after any synchronous failure it reported.
    setImmediate(() => finish());
  });
}

function sendUdp(to: Resolved, port: number, payload: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(to.family === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err?: Error | null): void => {
      if (done) return;
      done = true;
      socket.close();
      if (err) reject(err); else resolve();
    };
    socket.on('error', finish);
    socket.send(payload, port, to.address, finish);
  });
}

function sendIcmp(to: Resolved, payload: Uint8Array | undefined): Promise<void> {
  const { file, args } = pingCommand(process.platform, to.address, to.family, payload);
  return new Promise((resolve, reject) => {
    // An argument array and no shell; LC_ALL=C keeps ping's summary line in English.
    const env = { ...process.env, LC_ALL: 'C' };
    execFile(file, [...args], { timeout: PING_TIMEOUT_MS, env, windowsHide: true }, (err, stdout, stderr) => {
      const spawnError = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (spawnError?.code === 'ENOENT') {
        reject(new KnockError('KNOCK_UNSUPPORTED', `icmp knocks need the ${file} command (iputils ping on Linux); none was found in PATH`));
        return;
      }
      const exitCode = err ? (typeof spawnError?.code === 'number' ? spawnError.code : null) : 0;
      if (pingSent(exitCode, String(stdout))) { resolve(); return; }
      const said = String(stderr).trim().split('\n')[0] || (err ? err.message : 'no output');
      reject(new KnockError('KNOCK_SEND', `${file} ${args.join(' ')} failed: ${said} (icmp knocks need iputils ping on Linux)`));
    });
  });
}

/** Connects until it works or timeoutMs passes; a refusal is retried, since the door may open a moment late. */
async function connect(to: Resolved, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    if (await tryConnect(to, port, left)) return true;
    const pause = Math.min(VERIFY_RETRY_MS, deadline - Date.now());
    if (pause > 0) await delay(pause);
  }
}

function tryConnect(to: Resolved, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: to.address, port, family: to.family });
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(open: boolean): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    }
    socket.once('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}
