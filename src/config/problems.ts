// Collects every problem in one config file instead of stopping at the first.
import { ConfigError, InvalidValueError, type ConfigErrorCode } from './errors.js';

/** Where a value came from: its line and the key as written. */
export interface Origin {
  readonly line: number;
  readonly key: string;
}

export class Problems {
  readonly errors: ConfigError[] = [];
  constructor(readonly file: string) {}

  /** A problem with the value of a key. */
  atKey(code: ConfigErrorCode, at: Origin, detail: string): void {
    this.errors.push(new ConfigError(code, { file: this.file, line: at.line, key: at.key }, detail));
  }

  /** A problem with a section header or a whole section; `subject` is e.g. `[d]`. */
  atSection(code: ConfigErrorCode, line: number, subject: string, detail: string): void {
    this.errors.push(new ConfigError(code, { file: this.file, line, subject }, detail));
  }

  /** Runs `parse`; an InvalidValueError becomes a ConfigError at `at`, and the result is undefined. */
  value<T>(at: Origin, parse: () => T): T | undefined {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e;
      this.atKey(e.code, at, e.message);
      return undefined;
    }
  }

  /** Errors sorted by line; section-level checks run last but belong where they point. */
  sorted(): ConfigError[] {
    return this.errors.map((e, i) => ({ e, i })).sort((a, b) => a.e.line - b.e.line || a.i - b.i).map(({ e }) => e);
  }
}
