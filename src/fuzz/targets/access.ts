// Target: the fwknopd access.conf converter (src/fwknop-access/), with
// %include, %include_folder and %include_keys files (one of them includes itself).
import { ConfigError, ConfigErrors } from '../../config/errors.js';
import { KNOWN } from '../../fwknop-access/keywords.js';
import { convertAccessConf, type AccessConfIO, type ConvertedAccessConf } from '../../fwknop-access/convert.js';
import { keyLineMutator, lineMutator, tokenMutator } from '../mutate-text.js';
import { ascii } from '../mutate.js';
import { violate, type Target } from '../target.js';

const CONTRACT = 'convertAccessConf(text, file, io) returns the converted doors or throws ConfigErrors, nothing else; '
  + 'every ConfigError has a CONFIG_* code, a file that was read and a line of it; the converted text has one line '
  + 'origin per line and one [fwknop-N] section per door.';

const FILE = '/etc/fwknop/access.conf';
const K = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const H = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
const FILES: Record<string, string> = {
  '/etc/fwknop/more.conf': `SOURCE 10.0.0.0/8\nKEY_BASE64 ${K}\nOPEN_PORTS udp/1194\n`,
  '/etc/fwknop/keys': `KEY_BASE64 ${K}\nHMAC_KEY_BASE64 ${H}\nJUNK 1\n`,
  '/etc/fwknop/loop.conf': '%include /etc/fwknop/loop.conf\n',
  '/etc/fwknop/deep.conf': '%include /etc/fwknop/deeper.conf\n',
  '/etc/fwknop/deeper.conf': '%include /etc/fwknop/more.conf\n',
  '/etc/fwknop/access.d/a.conf': `SOURCE ANY\nKEY secret-one\nOPEN_PORTS tcp/22\n`,
};
const KNOWN_LOWER: ReadonlySet<string> = new Set([...KNOWN].map((k) => k.toLowerCase()));
const io: AccessConfIO = {
  readFile: (p) => FILES[p],
  listFolder: (p) => (p === '/etc/fwknop/access.d' ? ['a.conf', 'missing.conf'] : undefined),
};

function run(input: Uint8Array): string {
  const text = Buffer.from(input).toString('utf8');
  const lines = text.split('\n').length;
  let c: ConvertedAccessConf;
  try {
    c = convertAccessConf(text, FILE, io);
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    if (e.errors.length === 0) violate('ConfigErrors with no errors');
    for (const err of e.errors) {
      if (!(err instanceof ConfigError) || !/^CONFIG_[A-Z_]+$/.test(err.code)) violate(`not a typed ConfigError: ${String(err)}`);
      const max = err.file === FILE ? lines : FILES[err.file]?.split('\n').length;
      if (max === undefined) violate(`error names a file that was never read: ${err.file}`);
      if (!Number.isInteger(err.line) || err.line < 1 || err.line > max) violate(`${err.code} names line ${err.line} of ${err.file} (${max} lines)`);
    }
    // Known keys only: a label per mutated key name would make every input "new".
    return [...new Set(e.errors.map((x) => `${x.code}:${x.key !== undefined && KNOWN_LOWER.has(x.key) ? x.key : ''}`))].sort().join('|');
  }
  const out = c.sections.split('\n');
  if (!c.sections.endsWith('\n') && c.doors > 0) violate('sections do not end with a newline');
  if (c.lineOrigins.length !== out.length - 1 && c.lineOrigins.length !== out.length) violate(`${c.lineOrigins.length} line origins for ${out.length} lines`);
  const headers = out.filter((l) => /^\[fwknop-\d+\]$/.test(l)).length;
  if (headers !== c.doors) violate(`${headers} [fwknop-N] headers for ${c.doors} doors`);
  return `ok ${c.doors}`;
}

export const accessTarget: Target = {
  name: 'access',
  contract: CONTRACT,
  maxLen: 4096,
  seeds: () => [
    ascii(`SOURCE ANY\nKEY_BASE64 ${K}\nHMAC_KEY_BASE64 ${H}\nOPEN_PORTS tcp/22\n`),
    ascii(`SOURCE 192.0.2.0/24, 10.0.0.0/255.0.0.0\nKEY: passphrase-1\nHMAC_KEY: other-secret\nHMAC_DIGEST_TYPE sha512\nFW_ACCESS_TIMEOUT 60\nOPEN_PORTS tcp/22, udp/53\nREQUIRE_USERNAME root\n`),
    ascii(`# comment\n%include /etc/fwknop/more.conf\n%include_folder /etc/fwknop/access.d\nSOURCE ANY\n%include_keys /etc/fwknop/keys\nOPEN_PORTS tcp/443\nENCRYPTION_MODE legacy\n;x\n%include /etc/fwknop/loop.conf\n%include /etc/fwknop/deep.conf\n`),
  ],
  mutators: [[lineMutator(), 4], [tokenMutator([...KNOWN]), 6], [keyLineMutator([...KNOWN], ' '), 3]],
  byteWeight: 2,
  dictionary: ['SOURCE ', 'KEY_BASE64 ', ' ANY', '%include ', ';', ':', '/etc/fwknop/keys', '/etc/fwknop/access.d', 'more.conf', K, H].map(ascii),
  run,
};
