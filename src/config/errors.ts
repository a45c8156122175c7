// Config errors. Value parsers (steps, flags, addresses, numbers) throw an
// InvalidValueError that knows only what is wrong; the file parser wraps it in
// a ConfigError that adds where (file, line, key), and throws every one of
// them at once as ConfigErrors, so a user fixes a file in one pass.
import { PortcullisError } from '../errors.js';

export type ConfigErrorCode =
  | 'CONFIG_SYNTAX'
  | 'CONFIG_NO_SECTION'
  | 'CONFIG_BAD_SECTION'
  | 'CONFIG_UNKNOWN_KEY'
  | 'CONFIG_EMPTY_SEQUENCE'
  | 'CONFIG_BAD_PORT'
  | 'CONFIG_BAD_PROTOCOL'
  | 'CONFIG_BAD_PAYLOAD'
  | 'CONFIG_TOO_MANY_STEPS'
  | 'CONFIG_BAD_NUMBER'
  | 'CONFIG_BAD_FLAG'
  | 'CONFIG_BAD_ADDRESS'
  | 'CONFIG_BAD_VALUE'
  | 'CONFIG_MISSING_FILE'
  | 'CONFIG_CONFLICT';

/**
 * A value that does not parse, e.g. `"abc" is not a port number; expected 1-65535`.
 * The message says what is wrong and what is expected, with no location, so the
 * knock client can print it as is for a bad command-line argument.
 */
export class InvalidValueError extends PortcullisError {
  declare readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string) {
    super(code, message);
  }
}

/** One problem in a config file: `FILE:LINE: key: what is wrong, what is expected`. */
export class ConfigError extends PortcullisError {
  declare readonly code: ConfigErrorCode;
  readonly file: string;
  readonly line: number;
  /** The key as written, lower-cased; undefined for errors about a section or a whole line. */
  readonly key: string | undefined;
  /** The message without the `FILE:LINE: subject: ` prefix. */
  readonly detail: string;

  /** `subject` is what the message names after the line number: the key as written, or `[section]`. */
  constructor(code: ConfigErrorCode, at: { file: string; line: number; key?: string; subject?: string }, detail: string) {
    const subject = at.subject ?? at.key;
    super(code, `${at.file}:${at.line}: ${subject === undefined ? '' : `${subject}: `}${detail}`);
    this.file = at.file;
    this.line = at.line;
    this.key = at.key?.toLowerCase();
    this.detail = detail;
  }
}

/** Every problem found in one config file, in line order. */
export class ConfigErrors extends PortcullisError {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super('CONFIG_INVALID', errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}
