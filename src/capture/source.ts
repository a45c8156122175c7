// Where packets come from: one capture per interface, behind an interface so
// the daemon can be tested with MemoryCaptureSource instead of libpcap.
import type { Packet } from '../packet/packet.js';
import type { LinkType } from '../packet/link.js';
import { PortcullisError } from '../errors.js';

export interface CaptureHandle {
  readonly iface: string;
  readonly link: LinkType;
  /** Replaces the kernel filter; throws a CaptureError (and keeps the old filter) if libpcap refuses it. */
  setFilter(filter: string): void;
  /** Stops delivery; no onPacket call happens after close returns. */
  close(): void;
}

export interface CaptureSource {
  /**
   * Starts capturing on `iface` with a libpcap filter expression. Packets the
   * decoder understands go to `onPacket`; `onError` receives failures after
   * open returned (including an exception thrown by `onPacket`). Throws a
   * CaptureError if the capture cannot start.
   */
  open(iface: string, filter: string, onPacket: (p: Packet) => void, onError: (e: Error) => void): CaptureHandle;
}

export type CaptureErrorCode =
  | 'CAPTURE_UNAVAILABLE' // the libpcap binding is missing or not built
  | 'CAPTURE_OPEN_FAILED' // no such interface, interface down, no permission
  | 'CAPTURE_FILTER_FAILED' // libpcap refused the filter expression
  | 'CAPTURE_LINK_UNSUPPORTED' // a link layer the decoder does not know
  | 'CAPTURE_CLOSED'; // setFilter after close

export class CaptureError extends PortcullisError {
  declare readonly code: CaptureErrorCode;
  readonly iface: string | undefined;
  constructor(code: CaptureErrorCode, message: string, iface?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.iface = iface;
  }
}
