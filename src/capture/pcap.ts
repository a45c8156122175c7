// Live capture through libpcap, using the optional `cap` binding (0.2.x).
// The binding is loaded on first use, so everything else works (and tests
// run) on machines without libpcap.
//
// What `cap` does and does not do, from its src/binding.cc: open() is
// pcap_create + promiscuous + immediate mode + pcap_compile(optimize=1);
// each frame is copied into ONE shared buffer and announced as
// 'packet'(nbytes); there are no timestamps and no way to change the filter of
// an open capture, so setFilter opens a new capture and closes the old one.
import { createRequire } from 'node:module';
import type { Packet } from '../packet/packet.js';
import { RecentFrames } from './duplicates.js';
import { decodeFrame } from '../packet/decode.js';
import { linkTypeFromCap, type LinkType } from '../packet/link.js';
import { MATCH_NOTHING } from './filter.js';
import { CaptureError, type CaptureHandle, type CaptureSource } from './source.js';

interface Cap {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface CapModule {
  Cap: new () => Cap;
}

/** 64 KiB holds any frame up to the snap length `cap` sets (65535). */
const FRAME_BYTES = 65_535;
/**
 * Kernel ring buffer: room for bursts while Node is busy. On 'any' libpcap
 * sizes each ring frame for the largest MTU (lo's 64 KiB), so 32 MiB is about
 * 500 frames: a 1,000-client burst (3,000 SYNs in 0.2 s) lost ~55 % of its
 * grants with 10 MiB and ~7 % with 32 MiB (npm run bench, burst scenario).
 */
const KERNEL_BUFFER_BYTES = 32 * 1024 * 1024;

// cap 0.2.1's destructor calls uv_poll_stop on a poll handle that was never
// initialised when open() threw (observed: the process aborts at the next GC),
// and a closed capture never uv_close()s its poll handle, so libuv keeps a
// pointer into the object. Keeping the small wrapper objects reachable avoids
// both; close() itself still frees the libpcap handle and its ring.
const retired: Cap[] = [];

function loadCap(): CapModule {
  return createRequire(import.meta.url)('cap') as CapModule;
}

export interface PcapOptions {
  /** How to load the binding; tests replace it. */
  readonly load?: () => CapModule;
  readonly kernelBufferBytes?: number;
}

export class PcapCaptureSource implements CaptureSource {
  private module: CapModule | undefined;

  constructor(private readonly options: PcapOptions = {}) {}

  open(iface: string, filter: string, onPacket: (p: Packet) => void, onError: (e: Error) => void): CaptureHandle {
    const live = this.start(iface, filter, onPacket, onError);
    return new PcapCaptureHandle(iface, live, (f) => this.start(iface, f, onPacket, onError));
  }

  private binding(): CapModule {
    if (this.module) return this.module;
    try {
      this.module = (this.options.load ?? loadCap)();
    } catch (e) {
      throw new CaptureError('CAPTURE_UNAVAILABLE',
        `packet capture is unavailable: the optional libpcap binding "cap" could not be loaded (${(e as Error).message}). ` +
        'Install libpcap and its headers (Debian/Ubuntu: apt-get install libpcap-dev; Fedora: dnf install libpcap-devel) ' +
        'and a C++ compiler, then run `npm rebuild cap` in the Portcullis directory.', undefined, { cause: e });
    }
    return this.module;
  }

  private start(iface: string, filter: string, onPacket: (p: Packet) => void, onError: (e: Error) => void): LiveCapture {
    const { Cap } = this.binding();
    const cap = new Cap();
    const buffer = Buffer.alloc(FRAME_BYTES);
    let linkName: string;
    try {
      linkName = cap.open(iface, filter, this.options.kernelBufferBytes ?? KERNEL_BUFFER_BYTES, buffer);
    } catch (e) {
      retired.push(cap);
      throw this.explain(iface, filter, e);
    }
    const link = linkTypeFromCap(linkName);
    if (link === undefined) {
      cap.close();
      retired.push(cap);
      throw new CaptureError('CAPTURE_LINK_UNSUPPORTED',
        `cannot capture on ${iface}: its link layer (${linkName}) is not supported; supported are Ethernet, Linux cooked (SLL, SLL2), BSD loopback and raw IP`, iface);
    }
    return new LiveCapture(cap, buffer, link, onPacket, onError);
  }

  // libpcap's message does not say whether the device or the filter failed, so
  // on failure (only) try the device once more with a trivial filter.
  private explain(iface: string, filter: string, e: unknown): CaptureError {
    const message = e instanceof Error ? e.message : String(e);
    if (filter !== MATCH_NOTHING) {
      const probe = new this.module!.Cap();
      try {
        probe.open(iface, MATCH_NOTHING, 65_536, Buffer.alloc(FRAME_BYTES));
        probe.close();
        retired.push(probe);
        return new CaptureError('CAPTURE_FILTER_FAILED', `libpcap refused the capture filter for ${iface}: ${message}; filter: ${filter}`, iface, { cause: e });
      } catch {
        retired.push(probe);
      }
    }
    return new CaptureError('CAPTURE_OPEN_FAILED', `cannot capture on ${iface}: ${message}`, iface, { cause: e });
  }
}

/** One open `cap` capture and its frame buffer. */
class LiveCapture {
  private stopped = false;

  constructor(
    private readonly cap: Cap,
    buffer: Buffer,
    readonly link: LinkType,
    onPacket: (p: Packet) => void,
    onError: (e: Error) => void,
  ) {
    // A plain Uint8Array view: Buffer#slice would not copy.
    const frame = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    const recent = new RecentFrames();
    const networkOffset = link === 'sll' ? 16 : link === 'sll2' ? 20 : 0;
    cap.on('packet', (nbytes: number) => {
      if (this.stopped) return;
      const p = decodeFrame(link, frame, nbytes);
      if (p === undefined) return;
      if (recent.isDuplicate(frame, networkOffset, nbytes, performance.now())) return;
      try {
        // The next frame overwrites the buffer, so a payload must be copied out.
        onPacket(p.payload.length === 0 ? p : { ...p, payload: p.payload.slice() });
      } catch (e) {
        onError(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cap.close();
    this.cap.removeAllListeners('packet');
    retired.push(this.cap);
  }
}

class PcapCaptureHandle implements CaptureHandle {
  private closed = false;

  constructor(
    readonly iface: string,
    private live: LiveCapture,
    private readonly restart: (filter: string) => LiveCapture,
  ) {}

  get link(): LinkType {
    return this.live.link;
  }

  setFilter(filter: string): void {
    if (this.closed) throw new CaptureError('CAPTURE_CLOSED', `the capture on ${this.iface} is closed`, this.iface);
    // New capture first, so a refused filter leaves the old one running. Both
    // are swapped in the same tick: the old capture's undelivered frames are
    // dropped with it (a packet arriving in the microseconds before the new
    // one started can be missed), but none is ever delivered twice, which
    // would break a knock sequence.
    const next = this.restart(filter);
    this.live.stop();
    this.live = next;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live.stop();
  }
}
