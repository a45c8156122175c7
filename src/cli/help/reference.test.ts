// The reference is complete: every subcommand, option and config key the
// parsers accept has its entry, and nothing is documented that they refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LONG as KNOCK_LONG, SHORT as KNOCK_SHORT, TAKES_VALUE as KNOCK_TAKES_VALUE } from '../../client/argv.js';
import { DOOR_KEYS } from '../../config/door.js';
import { OPTION_KEYS } from '../../config/options.js';
import { SPA_DOOR_KEYS, SPA_SHARED_KEYS } from '../../config/spa-door.js';
import { KEY_OPTIONS, SEND_OPTIONS } from '../../spa-client/argv.js';
import { DEFAULT_HMAC_KEY_LEN, KEYGEN_OPTIONS } from '../../spa-client/keygen.js';
import { digestName } from '../../spa-client/settings.js';
import type { HmacDigest } from '../../spa/types.js';
import type { OptionSpec } from '../args.js';
import { SUBCOMMANDS } from '../main.js';
import { KEYGEN_HMAC_KEY_SIZES } from './commands-client.js';
import type { ConfigSection, SectionId } from './model.js';
import { COMMANDS, CONFIG_SECTIONS, VERSION, commandHelp, optionSpecs } from './reference.js';

const section = (id: SectionId): ConfigSection => CONFIG_SECTIONS.find((s) => s.id === id)!;
const spellings = (s: ConfigSection): string[] => s.keys.flatMap((k) => [k.key, ...(k.aliases ?? [])].map((n) => n.toLowerCase()));
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Fails naming what the parser accepts but the reference lacks, and the reverse. */
function sameKeys(documented: readonly string[], accepted: readonly string[], where: string): void {
  const missing = sorted(accepted.filter((k) => !documented.includes(k)));
  const extra = sorted(documented.filter((k) => !accepted.includes(k)));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] },
    `${where}: "missing" are accepted by the parser but have no entry (add one; see src/cli/help/reference.ts), "extra" are documented but not accepted`);
}

test('every subcommand has a help entry, and every entry a subcommand', () => {
  const names = COMMANDS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, 'a command is listed twice');
  assert.deepEqual(sorted(names.map((n) => n.split(' ')[0]!)), sorted(Object.keys(SUBCOMMANDS)));
  for (const c of COMMANDS) {
    assert.ok(c.summary && !c.summary.includes('\n'), `${c.name}: a one-line summary`);
    assert.ok(c.description.length > 0 && c.exitStatus, `${c.name}: a description and its exit status`);
    for (const s of c.synopsis) assert.ok(s.startsWith(`${c.name} `) || s === c.name, `${c.name}: synopsis "${s}" starts with the name`);
  }
});

test('each command\'s options are unique, described, and leave -h/--help to the renderers', () => {
  for (const c of COMMANDS) {
    const longs = c.options.map((o) => o.long);
    const shorts = c.options.flatMap((o) => (o.short ? [o.short] : []));
    assert.equal(new Set(longs).size, longs.length, `${c.name}: a long option twice`);
    assert.equal(new Set(shorts).size, shorts.length, `${c.name}: a short option twice`);
    assert.ok(!longs.includes('help') && !shorts.includes('h'), `${c.name}: --help is added by the renderers`);
    for (const o of c.options) {
      assert.ok(o.help.trim().length > 0, `${c.name} --${o.long}: no help`);
      assert.ok(o.short === undefined || o.short.length === 1, `${c.name} --${o.long}: short is one character`);
      assert.equal(o.help.split('`').length % 2, 1, `${c.name} --${o.long}: unbalanced backticks`);
    }
  }
});

/** An option table as comparable strings: `--long/-s=` (`=` when it takes a value). */
const table = (specs: readonly OptionSpec[]): string[] => sorted(specs.map((s) => `--${s.long}/${s.short ?? ''}${s.value ? '=' : ''}`));

test('the parsers outside src/cli accept exactly the documented options', () => {
  assert.deepEqual(table(SEND_OPTIONS), table(optionSpecs(commandHelp('spa'))), 'src/spa-client/argv.ts SEND_OPTIONS vs spa');
  assert.deepEqual(table(KEY_OPTIONS), table(optionSpecs(commandHelp('spa decode'))), 'src/spa-client/argv.ts KEY_OPTIONS vs spa decode');
  assert.deepEqual(table(KEYGEN_OPTIONS), table(optionSpecs(commandHelp('keygen'))), 'src/spa-client/keygen.ts KEYGEN_OPTIONS vs keygen');
  const shortOf = new Map(Object.entries(KNOCK_SHORT).map(([s, long]) => [long, s]));
  const knock: OptionSpec[] = KNOCK_LONG.map((long) => ({
    long, ...(shortOf.has(long) && { short: shortOf.get(long)! }), ...(KNOCK_TAKES_VALUE.has(long) && { value: true }),
  }));
  assert.deepEqual(table(knock), table(optionSpecs(commandHelp('knock'))), 'src/client/argv.ts SHORT/LONG/TAKES_VALUE vs knock');
});

test('every [options] key the parser accepts is in the reference, and no other', () => {
  sameKeys(spellings(section('options')), Object.keys(OPTION_KEYS), 'src/config/options.ts OPTION_KEYS vs src/cli/help/config-options.ts');
});

test('every door key the parser accepts is in the reference (knock or SPA doors), and no other', () => {
  const documented = [...spellings(section('knock-door')), ...spellings(section('spa-door'))];
  sameKeys(documented, Object.keys(DOOR_KEYS), 'src/config/door.ts DOOR_KEYS vs src/cli/help/config-doors.ts');
  const spaOnly = spellings(section('spa-door')).filter((k) => !Object.hasOwn(SPA_DOOR_KEYS, k));
  for (const k of spaOnly) assert.ok(SPA_SHARED_KEYS.has(k), `${k} is documented for SPA doors, which do not take it`);
});

test('aliases are spellings of the same key', () => {
  const canonical: Record<SectionId, Record<string, string>> = { options: OPTION_KEYS, 'knock-door': DOOR_KEYS, 'spa-door': DOOR_KEYS };
  for (const s of CONFIG_SECTIONS) {
    for (const k of s.keys) {
      const of = (n: string) => canonical[s.id][n.toLowerCase()];
      for (const a of k.aliases ?? []) assert.equal(of(a), of(k.key), `${s.title} ${a} is not an alias of ${k.key}`);
      assert.ok(k.help && k.default, `${s.title} ${k.key}: help and default`);
      assert.equal(k.help.split('`').length % 2, 1, `${k.key}: unbalanced backticks`);
    }
  }
});

test('derived facts match their sources: key sizes, version', () => {
  const sizes = (Object.entries(DEFAULT_HMAC_KEY_LEN) as Array<[HmacDigest, number]>).map(([d, n]) => `${digestName(d)} ${n}`).join(', ');
  assert.equal(KEYGEN_HMAC_KEY_SIZES, sizes);
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});

test('README.md\'s configuration reference names every key of the reference', () => {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Configuration reference');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1)).toLowerCase();
  assert.ok(start >= 0, 'README.md has a "## Configuration reference"');
  const missing = CONFIG_SECTIONS.flatMap((s) => s.keys)
    .filter((k) => ![k.key, ...(k.aliases ?? [])].some((n) => section.includes(`\`${n.toLowerCase()}`)))
    .map((k) => k.key);
  assert.deepEqual(missing, [], 'keys documented in src/cli/help/ but not (as `Key`) in README.md\'s configuration reference');
});
