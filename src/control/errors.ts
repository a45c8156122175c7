// Errors of the control socket, on both ends. The daemon sends `code` and
// `message` (and `details`, e.g. config errors) to the client, which raises
// them again as a ControlError with the same code.
import { PortcullisError } from '../errors.js';

export type ControlErrorCode =
  // A request the daemon refuses (sent back to the client).
  | 'CONTROL_BAD_REQUEST'
  | 'CONTROL_UNKNOWN_COMMAND'
  | 'CONTROL_BAD_ADDRESS'
  | 'CONTROL_REQUEST_TOO_LONG'
  | 'CONTROL_TIMEOUT'
  | 'CONTROL_BUSY'
  | 'CONTROL_INTERNAL'
  | 'CONFIG_INVALID'
  // The client's side.
  | 'CONTROL_NOT_RUNNING'
  | 'CONTROL_PERMISSION'
  | 'CONTROL_CONNECT'
  | 'CONTROL_BAD_RESPONSE'
  | 'CONTROL_NO_CONFIG'
  // Creating the socket in the daemon.
  | 'CONTROL_SOCKET_IN_USE'
  | 'CONTROL_SOCKET_NOT_A_SOCKET'
  | 'CONTROL_SOCKET_CREATE';

export class ControlError extends PortcullisError {
  /** Further lines, e.g. every `file:line: …` error of a refused reload. */
  readonly details: readonly string[];

  constructor(code: ControlErrorCode | string, message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super(code, message, options);
    this.details = details;
  }
}
