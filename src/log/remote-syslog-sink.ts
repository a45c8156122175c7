// Forwards security events (src/log/events.ts) to a remote syslog collector
// (syslog_remote) as RFC 5424 messages (rfc5424.ts), for SIEMs. Never blocks
// and never grows without bound: UDP sends one datagram per message with a cap
// on sends in flight; TCP keeps one connection, queues a bounded number of
// messages while it is down, and reconnects with exponential backoff. What
// cannot be sent is dropped and counted (`dropped`, exported as a metric).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { hostname as osHostname } from 'node:os';
import { connect, type Socket as TcpSocket } from 'node:net';
import { systemClock, type Clock, type Timer } from '../util/clock.js';
import { eventOf, isSecurityEvent } from './events.js';
import type { LogEntry } from './logger.js';
import { formatRfc5424, octetCounted } from './rfc5424.js';
import type { LogSink } from './stream-sink.js';

export interface RemoteSyslogOptions {
  readonly transport: 'udp' | 'tcp';
  readonly host: string;
  readonly family: 4 | 6;
  readonly port: number;
  /** RFC 5424 facility code (syslog_remote_facility). */
  readonly facility: number;
  /** Where to say that the collector cannot be reached (stderr); once per outage. */
  readonly report: (msg: string) => void;
  readonly clock?: Clock;
  readonly hostname?: string;
  readonly procId?: number;
  /** Which entries are forwarded; default: the security events. */
  readonly accept?: (entry: LogEntry) => boolean;
  /** Messages waiting (TCP, while disconnected) or in flight (UDP) at most; default 1000. */
  readonly maxQueue?: number;
  /** Largest message in bytes; default 2048 over UDP (RFC 5426 §3.2: receivers must take 480, should take 2048), 8192 over TCP. */
  readonly maxMessageBytes?: number;
  /** TCP reconnect backoff: first and largest delay. */
  readonly backoffMs?: { readonly min: number; readonly max: number };
}

export interface RemoteSyslogStats {
  readonly sent: number;
  readonly dropped: number;
  readonly connected: boolean;
}

export class RemoteSyslogSink implements LogSink {
  /** Messages handed to the kernel. */
  sent = 0;
  /** Messages dropped: queue full, collector unreachable, send errors. */
  dropped = 0;
  private readonly clock: Clock;
  private readonly accept: (entry: LogEntry) => boolean;
  private readonly maxQueue: number;
  private readonly maxBytes: number;
  private readonly hostname: string;
  private readonly procId: number;
  private readonly target: string;
  private closed = false;
  // UDP
  private udp: UdpSocket | undefined;
  private udpInFlight = 0;
  private udpFailing = false;
  // TCP
  private tcp: TcpSocket | undefined;
  private connected = false;
  private queue: Buffer[] = [];
  private retry: Timer | undefined;
  private backoff: number;
  private outageReported = false;

  constructor(private readonly o: RemoteSyslogOptions) {
    this.clock = o.clock ?? systemClock;
    this.accept = o.accept ?? ((e) => isSecurityEvent(e.fields));
    this.maxQueue = o.maxQueue ?? 1000;
    this.maxBytes = o.maxMessageBytes ?? (o.transport === 'udp' ? 2048 : 8192);
    this.hostname = o.hostname ?? osHostname();
    this.procId = o.procId ?? process.pid;
    this.backoff = o.backoffMs?.min ?? 1000;
    this.target = `${o.transport}://${o.family === 6 ? `[${o.host}]` : o.host}:${o.port}`;
    if (o.transport === 'udp') this.openUdp(); else this.connectTcp();
  }

  stats(): RemoteSyslogStats {
    return { sent: this.sent, dropped: this.dropped, connected: this.o.transport === 'udp' ? !this.udpFailing : this.connected };
  }

  write(entry: LogEntry): void {
    if (this.closed || !this.accept(entry)) return;
    const message = formatRfc5424({
      facility: this.o.facility, level: entry.level, time: entry.time, hostname: this.hostname, procId: this.procId,
      msgId: eventOf(entry.fields) ?? '-', fields: entry.fields ?? {}, msg: entry.msg,
    }, this.maxBytes);
    if (this.o.transport === 'udp') this.sendUdp(message); else this.sendTcp(octetCounted(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retry?.cancel();
    this.dropped += this.queue.length;
    this.queue = [];
    const deadline = Date.now() + 1000;
    const udp = this.udp;
    if (udp) {
      // Let datagrams already handed over leave, briefly.
      while (this.udpInFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      udp.close();
    }
    const tcp = this.tcp;
    if (tcp) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { tcp.destroy(); resolve(); }, 1000);
        tcp.end(() => { clearTimeout(t); tcp.destroy(); resolve(); });
        tcp.once('close', () => { clearTimeout(t); resolve(); });
      });
    }
  }

  private openUdp(): void {
    const s = createSocket(this.o.family === 6 ? 'udp6' : 'udp4');
    s.on('error', (err) => this.udpError(err));
    s.unref();
    this.udp = s;
  }

  private sendUdp(message: Buffer): void {
    if (this.udpInFlight >= this.maxQueue) { this.dropped++; return; }
    this.udpInFlight++;
    this.udp!.send(message, this.o.port, this.o.host, (err) => {
      this.udpInFlight--;
      if (err) { this.dropped++; this.udpError(err); return; }
      this.sent++;
      if (this.udpFailing) { this.udpFailing = false; this.outageReported = false; }
    });
  }

  private udpError(err: Error): void {
    this.udpFailing = true;
    if (!this.outageReported) this.o.report(`syslog_remote ${this.target}: ${err.message}; security events are dropped (and counted) until it works`);
    this.outageReported = true;
  }

  private connectTcp(): void {
    if (this.closed) return;
    const s = connect({ host: this.o.host, port: this.o.port, family: this.o.family, timeout: 5000 });
    this.tcp = s;
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    s.unref();
    s.on('connect', () => {
      s.setTimeout(0);
      this.connected = true;
      this.backoff = this.o.backoffMs?.min ?? 1000;
      if (this.outageReported) this.o.report(`syslog_remote ${this.target}: connected again`);
      this.outageReported = false;
      const waiting = this.queue;
      this.queue = [];
      for (const m of waiting) this.sendTcp(m);
    });
    s.on('timeout', () => s.destroy(new Error('connection timed out')));
    s.on('data', () => undefined); // collectors do not talk back; never buffer what they send
    s.on('error', (err) => {
      if (!this.outageReported && !this.closed) this.o.report(`syslog_remote ${this.target}: ${err.message}; queueing up to ${this.maxQueue} security events and reconnecting`);
      this.outageReported = true;
    });
    s.on('close', () => {
      this.connected = false;
      if (this.tcp === s) this.tcp = undefined;
      if (this.closed) return;
      if (!this.outageReported) this.o.report(`syslog_remote ${this.target}: connection closed; reconnecting`);
      this.outageReported = true;
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.o.backoffMs?.max ?? 60_000);
      this.retry = this.clock.setTimer(delay, () => { this.retry = undefined; this.connectTcp(); });
    });
  }

  private sendTcp(framed: Buffer): void {
    const s = this.tcp;
    if (this.connected && s) {
      // The kernel and Node buffer at most maxQueue messages' worth; beyond that the collector is too slow.
      if (s.writableLength > this.maxQueue * this.maxBytes) { this.dropped++; return; }
      s.write(framed);
      this.sent++;
      return;
    }
    if (this.queue.length >= this.maxQueue) { this.dropped++; return; }
    this.queue.push(framed);
  }
}
