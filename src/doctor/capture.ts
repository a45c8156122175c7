// Whether the daemon could capture knocks on an interface: the permission
// (CAP_NET_RAW), the libpcap binding, and traffic actually seen in a short
// capture through the same PcapCaptureSource `serve` uses.
import { readFileSync } from 'node:fs';
import { PcapCaptureSource } from '../capture/pcap.js';
import type { CaptureSource } from '../capture/source.js';
import type { Finding } from './findings.js';

export type CaptureResult =
  | { readonly kind: 'packet'; readonly ms: number }
  | { readonly kind: 'silent'; readonly ms: number }
  | { readonly kind: 'denied' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

const CAP_NET_RAW = 13;

/** Whether the CapEff line of /proc/self/status has CAP_NET_RAW. */
export function hasNetRaw(procSelfStatus: string): boolean {
  const hex = /^CapEff:\s*([0-9a-fA-F]+)/m.exec(procSelfStatus)?.[1];
  return hex !== undefined && (BigInt(`0x${hex}`) & (1n << BigInt(CAP_NET_RAW))) !== 0n;
}

const PERMISSION_FIX = 'run doctor (and serve) as root, e.g. sudo portcullis doctor …; a systemd unit running serve as another user needs AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN';

export function captureFinding(iface: string, r: CaptureResult): Finding {
  const base = { check: 'capture' as const, subject: iface };
  switch (r.kind) {
    case 'packet':
      return { ...base, code: 'CAPTURE_OK', status: 'ok', message: `libpcap captures here: first packet after ${r.ms} ms` };
    case 'silent':
      return {
        ...base, code: 'CAPTURE_SILENT', status: 'warn', message: `capture works, but no packet in ${Math.round(r.ms / 1000)} s`,
        detail: ['fine on a quiet host; otherwise knocks may arrive on another interface'],
        fix: `knock or ping this host from a client while doctor runs; \`ip route get CLIENT_IP\` names the interface its packets use`,
      };
    case 'denied':
      return { ...base, code: 'CAPTURE_PERMISSION', status: 'fail', message: 'no permission to capture packets (needs root or CAP_NET_RAW)', fix: PERMISSION_FIX };
    case 'error':
      if (/permitted|permission/i.test(r.message)) return { ...base, code: 'CAPTURE_PERMISSION', status: 'fail', message: r.message, fix: PERMISSION_FIX };
      return {
        ...base, code: r.code, status: 'fail', message: r.message,
        ...(r.code !== 'CAPTURE_UNAVAILABLE' && { fix: 'check that the interface exists and is up, and that no security module (AppArmor, SELinux) forbids packet sockets' }),
      };
  }
}

/** Captures on `iface` until the first IP packet or `ms`. */
export function probeCapture(iface: string, ms: number, source: CaptureSource = new PcapCaptureSource()): Promise<CaptureResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let handle: { close(): void } | undefined;
    let done = false;
    const finish = (r: CaptureResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      handle?.close();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'silent', ms }), ms);
    try {
      handle = source.open(iface, '', () => finish({ kind: 'packet', ms: Date.now() - started }),
        (e) => finish({ kind: 'error', code: 'CAPTURE_FAILED', message: e.message }));
      if (done) handle.close();
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      finish({ kind: 'error', code: typeof err.code === 'string' ? err.code : 'CAPTURE_FAILED', message: String(err.message ?? e) });
    }
  });
}

/** Root without CAP_NET_RAW exists too (containers), so the capability is what counts. */
export function canCaptureHere(): boolean {
  try {
    return hasNetRaw(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return true; // cannot tell (not Linux): let the capture itself say
  }
}
