// Errors of the knock client. The CLI prints the message as is, so each one
// says what went wrong and, where it helps, what to do instead.
import { PortcullisError } from '../errors.js';

export type KnockErrorCode =
  /** Bad command line (unknown option, missing argument, bad number). */
  | 'KNOCK_USAGE'
  /** A STEP argument that does not parse (bad port, protocol, payload, service). */
  | 'KNOCK_BAD_STEP'
  /** HOST did not resolve, or not to the family asked for with -4/-6. */
  | 'KNOCK_RESOLVE'
  /** A knock could not be sent (socket error, ping missing or failing). */
  | 'KNOCK_SEND'
  /** The step cannot be sent from this system (e.g. ICMP payload without iputils/BSD ping). */
  | 'KNOCK_UNSUPPORTED'
  /** --verify: the port did not accept a connection, even after a second sequence. */
  | 'KNOCK_NOT_OPEN';

export class KnockError extends PortcullisError {
  declare readonly code: KnockErrorCode;
  constructor(code: KnockErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
