// Reading a config file from disk: the only I/O around the pure parser.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigErrors } from '../config/errors.js';
import type { Config } from '../config/model.js';
import { parseConfig } from '../config/parse.js';
import { lastValue, type Parsed } from './args.js';
import { appendConverted, convertAccessConf, relocateErrors } from '../fwknop-access/convert.js';

export type Loaded = { ok: true; config: Config } | { ok: false; messages: string[] };

/**
 * Reads and parses the config; with `fwknopAccess`, fwknop's access.conf is
 * converted to SPA doors appended to it (`serve --fwknop-access`), and errors
 * in those doors point back at the access.conf line.
 */
export function loadConfigFile(path: string, fwknopAccess?: string): Loaded {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, messages: [`${file}: cannot read the config file: ${(err as Error).message}`] };
  }
  if (fwknopAccess !== undefined) return loadWithAccessConf(file, text, resolve(fwknopAccess));
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

function readRelative(base: string): (p: string) => string | undefined {
  return (p) => {
    try {
      return readFileSync(resolve(base, '..', p), 'utf8');
    } catch {
      return undefined;
    }
  };
}

function loadWithAccessConf(file: string, text: string, accessFile: string): Loaded {
  let accessText: string;
  try {
    accessText = readFileSync(accessFile, 'utf8');
  } catch (err) {
    return { ok: false, messages: [`${accessFile}: cannot read the fwknop access file: ${(err as Error).message}`] };
  }
  const listFolder = (p: string): string[] | undefined => {
    try { return readdirSync(resolve(accessFile, '..', p)).sort(); } catch { return undefined; }
  };
  try {
    const converted = convertAccessConf(accessText, accessFile, { readFile: readRelative(accessFile), listFolder });
    const { text: combined, firstLine } = appendConverted(text, converted);
    try {
      return { ok: true, config: parseConfig(combined, file, { readFile: readRelative(file) }) };
    } catch (err) {
      if (err instanceof ConfigErrors) return { ok: false, messages: relocateErrors(err, file, firstLine, converted).errors.map((e) => e.message) };
      throw err;
    }
  } catch (err) {
    if (err instanceof ConfigErrors) return { ok: false, messages: err.errors.map((e) => e.message) };
    throw err;
  }
}

/** The config file -c/--config names, resolved; /etc/knockd.conf if none. */
export function configPathArg(args: Parsed): string {
  return resolve(lastValue(args, 'config') ?? '/etc/knockd.conf');
}

/**
 * The config at `path`; or undefined when it cannot be read or is not valid,
 * after each error and a summary line went to `err` (default stderr).
 */
export function loadConfigOrReport(path: string, err: (line: string) => void = (line) => console.error(line)): Config | undefined {
  const loaded = loadConfigFile(path);
  if (loaded.ok) return loaded.config;
  for (const m of loaded.messages) err(m);
  err(`${path}: ${loaded.messages.length} error(s); the file is not valid`);
  return undefined;
}
