// Target: the knockd.conf parser (src/config/parse.ts), all Portcullis keys
// included. Seeds: fuzz/corpus/config/ (the knockd-configs research corpus
// and hand-written Portcullis configs).
import { ConfigError, ConfigErrors } from '../../config/errors.js';
import { DOOR_KEYS } from '../../config/door.js';
import { OPTION_KEYS } from '../../config/options.js';
import { parseConfig } from '../../config/parse.js';
import type { Config } from '../../config/model.js';
import { keyLineMutator, lineMutator, tokenMutator } from '../mutate-text.js';
import { ascii } from '../mutate.js';
import { violate, type Target } from '../target.js';

const CONTRACT = 'parseConfig(text, file, io) returns a Config or throws ConfigErrors, nothing else; every ConfigError has '
  + 'a CONFIG_* code and a message starting "FILE:LINE: " with LINE a line of the file; every door has a name and a '
  + 'header line in the file, every knock step a tcp/udp port 1–65535 or icmp.';

const FILE = '/etc/portcullis.conf';
/** One_Time_Sequences files the parser may read: one good, one with junk; any other path is missing. */
const OTS: Record<string, string> = {
  '/etc/knockd/smtp_sequences': '2000,3000,4000\n2001:udp,3001,4001\n# used\n5000,6000,7000 # note\n',
  '/etc/knockd/bad': '1,2,\n\n70000\nabc\n1:tcp,2:udp,3:icmp\n',
};
const io = { readFile: (p: string) => OTS[p] };
const KEYS = [...Object.keys(DOOR_KEYS), ...Object.keys(OPTION_KEYS)];
const KNOWN_KEYS: ReadonlySet<string> = new Set(KEYS);

function lineCount(text: string): number {
  return text.split('\n').length;
}

function checkConfig(c: Config, lines: number): void {
  if (!c || !Array.isArray(c.doors)) violate('parseConfig returned no doors array');
  for (const d of c.doors) {
    if (typeof d.name !== 'string' || !Number.isInteger(d.line) || d.line < 1 || d.line > lines) violate(`door ${String(d.name)} at line ${d.line}`);
    for (const s of d.sequence) {
      const ok = s.proto === 'icmp' ? s.port === 0 : (s.proto === 'tcp' || s.proto === 'udp') && Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535;
      if (!ok) violate(`door ${d.name}: step ${s.proto}/${s.port}`);
    }
  }
}

function run(input: Uint8Array): string {
  const text = Buffer.from(input).toString('utf8');
  const lines = lineCount(text);
  let c: Config;
  try {
    c = parseConfig(text, FILE, io);
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    if (e.errors.length === 0) violate('ConfigErrors with no errors');
    for (const err of e.errors) {
      if (!(err instanceof ConfigError) || !/^CONFIG_[A-Z_]+$/.test(err.code)) violate(`not a typed ConfigError: ${String(err)}`);
      if (!Number.isInteger(err.line) || err.line < 1 || err.line > lines) violate(`${err.code} names line ${err.line} of a ${lines}-line file`);
      if (!err.message.startsWith(`${FILE}:${err.line}: `)) violate(`message does not start with FILE:LINE: ${err.message}`);
    }
    // Known keys only: a label per mutated key name would make every input "new".
    return [...new Set(e.errors.map((x) => `${x.code}:${x.key !== undefined && KNOWN_KEYS.has(x.key) ? x.key : ''}`))].sort().join('|');
  }
  checkConfig(c, lines);
  return `ok ${c.doors.length}`;
}


export const configTarget: Target = {
  name: 'config',
  contract: CONTRACT,
  maxLen: 4096,
  seeds: () => [ascii('[options]\n  UseSyslog\n[d]\n  sequence = 1,2,3\n  command = true %IP%\n')],
  mutators: [[lineMutator(), 4], [tokenMutator(KEYS), 6], [keyLineMutator(KEYS, ' = '), 3]],
  byteWeight: 2,
  dictionary: ['[options]', '[door]', ' = ', '%IP%', ':udp', ':tcp', ':icmp', '/etc/knockd/smtp_sequences', '/etc/knockd/bad', '\n'].map(ascii),
  run,
};
