// Every error Portcullis raises on purpose is a PortcullisError with a stable
// `code` (like undici's UND_ERR_* codes), so callers and tests match on the
// code, never on the message text.
export class PortcullisError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
