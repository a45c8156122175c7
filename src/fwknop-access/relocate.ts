// The converted doors parsed with the config they are appended to, and the
// errors found on them moved back to the access.conf lines they came from.
import { ConfigError, ConfigErrors } from '../config/errors.js';
import type { ConvertedAccessConf } from './emit.js';

/**
 * `configText` with the converted sections after it, and the line the
 * sections start on, for parsing both as one file and for relocateErrors.
 */
export function appendConverted(configText: string, converted: ConvertedAccessConf): { text: string; firstLine: number } {
  const head = configText === '' || configText.endsWith('\n') ? configText : `${configText}\n`;
  const body = head === '' ? head : `${head}\n`;
  const firstLine = body === '' ? 1 : body.split('\n').length;
  return { text: body + converted.sections, firstLine };
}

/**
 * Errors from parsing appendConverted's text as `file`: those on the appended
 * lines are moved to the access.conf line they came from, under its keyword
 * (`FILE:LINE: OPEN_PORTS: …`); the others are kept.
 */
export function relocateErrors(errors: ConfigErrors, file: string, firstLine: number, converted: ConvertedAccessConf): ConfigErrors {
  return new ConfigErrors(errors.errors.map((e) => {
    if (e.file !== file || e.line < firstLine) return e;
    const origin = converted.lineOrigins[e.line - firstLine];
    if (!origin) return e;
    return new ConfigError(e.code, origin, e.detail);
  }));
}
