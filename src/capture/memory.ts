// An in-memory CaptureSource for tests: records what was opened with which
// filters, and delivers packets or errors on demand.
import type { Packet } from '../packet/packet.js';
import type { LinkType } from '../packet/link.js';
import { CaptureError, type CaptureHandle, type CaptureSource } from './source.js';

export class MemoryCaptureHandle implements CaptureHandle {
  /** Every filter this handle had, oldest first; the last is current. */
  readonly filters: string[];
  closed = false;

  constructor(
    readonly iface: string,
    readonly link: LinkType,
    filter: string,
    readonly onPacket: (p: Packet) => void,
    readonly onError: (e: Error) => void,
  ) {
    this.filters = [filter];
  }

  get filter(): string {
    return this.filters[this.filters.length - 1]!;
  }

  setFilter(filter: string): void {
    if (this.closed) throw new CaptureError('CAPTURE_CLOSED', `the capture on ${this.iface} is closed`, this.iface);
    this.filters.push(filter);
  }

  close(): void {
    this.closed = true;
  }
}

export class MemoryCaptureSource implements CaptureSource {
  /** Every handle ever opened, oldest first, closed ones included. */
  readonly handles: MemoryCaptureHandle[] = [];
  private readonly refusals = new Map<string, CaptureError>();

  constructor(private readonly link: LinkType = 'ethernet') {}

  open(iface: string, filter: string, onPacket: (p: Packet) => void, onError: (e: Error) => void): MemoryCaptureHandle {
    const refusal = this.refusals.get(iface);
    if (refusal) throw refusal;
    const h = new MemoryCaptureHandle(iface, this.link, filter, onPacket, onError);
    this.handles.push(h);
    return h;
  }

  /** Open handles on `iface`. */
  openOn(iface: string): MemoryCaptureHandle[] {
    return this.handles.filter((h) => h.iface === iface && !h.closed);
  }

  /** Delivers `packet` to every open handle on `iface`; returns how many received it. */
  inject(iface: string, packet: Packet): number {
    const open = this.openOn(iface);
    for (const h of open) h.onPacket(packet);
    return open.length;
  }

  /** Reports `err` to every open handle on `iface`, as a failing capture would. */
  fail(iface: string, err: Error): void {
    for (const h of this.openOn(iface)) h.onError(err);
  }

  /** Makes later opens of `iface` throw `err` (by default CAPTURE_OPEN_FAILED, as for a missing device). */
  refuse(iface: string, err = new CaptureError('CAPTURE_OPEN_FAILED', `cannot capture on ${iface}: No such device exists`, iface)): void {
    this.refusals.set(iface, err);
  }

  /** Lets opens of `iface` succeed again after refuse. */
  accept(iface: string): void {
    this.refusals.delete(iface);
  }
}
