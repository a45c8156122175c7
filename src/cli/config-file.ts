// Reading a config file from disk: the only I/O around the pure parser.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigErrors } from '../config/errors.js';
import type { Config } from '../config/model.js';
import { parseConfig } from '../config/parse.js';

export type Loaded = { ok: true; config: Config } | { ok: false; messages: string[] };

export function loadConfigFile(path: string): Loaded {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, messages: [`${file}: cannot read the config file: ${(err as Error).message}`] };
  }
  const readFile = (p: string): string | undefined => {
    try {
      return readFileSync(resolve(file, '..', p), 'utf8');
    } catch {
      return undefined;
    }
  };
  try {
    return { ok: true, config: parseConfig(text, file, { readFile }) };
  } catch (err) {
    if (err instanceof ConfigErrors) return { ok: false, messages: err.errors.map((e) => e.message) };
    throw err;
  }
}
