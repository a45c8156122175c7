// Helpers for config tests: parse a text as /etc/portcullis.conf, or collect its error messages.
import assert from 'node:assert/strict';
import { ConfigErrors } from './errors.js';
import type { Config } from './model.js';
import { parseConfig } from './parse.js';

export const TEST_FILE = '/etc/portcullis.conf';
const none = { readFile: () => undefined };

export function parseTestConfig(text: string): Config {
  return parseConfig(text, TEST_FILE, none);
}

/** The messages of the ConfigErrors `text` must raise. */
export function configMessages(text: string): string[] {
  try {
    parseTestConfig(text);
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return e.errors.map((x) => x.message);
  }
  assert.fail('expected ConfigErrors');
}
