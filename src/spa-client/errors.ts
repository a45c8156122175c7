// Errors of `portcullis spa`, `spa decode` and `keygen`. The CLI prints the
// message as is, so each one says what is wrong and what would be right.
import { PortcullisError } from '../errors.js';

export type SpaClientErrorCode =
  /** Bad command line: unknown option, missing or malformed value, a required option missing. */
  | 'SPA_CLIENT_USAGE'
  /** The rc file: unreadable, a malformed line, a bad or unsupported variable, the named stanza missing. */
  | 'SPA_CLIENT_RC_FILE'
  /** Keys: none given, not base64, bad length, HMAC key equal to the encryption key. */
  | 'SPA_CLIENT_KEYS'
  /** The server (or a NAT host) did not resolve, or not to an address family that can be used. */
  | 'SPA_CLIENT_RESOLVE'
  /** The packet could not be sent (socket error, TCP connection refused). */
  | 'SPA_CLIENT_SEND'
  /** The codec refused the message (see the cause, a SpaError). */
  | 'SPA_CLIENT_BUILD';

export class SpaClientError extends PortcullisError {
  declare readonly code: SpaClientErrorCode;
  constructor(code: SpaClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export function usage(message: string): SpaClientError {
  return new SpaClientError('SPA_CLIENT_USAGE', message);
}
