import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { observedDaemon, runScenario } from '../metrics/testing.js';
import { EVENTS, EVENT_NAMES, ev, eventOf, isEventName, isSecurityEvent } from './events.js';

test('the vocabulary: names are lower-case dotted, fit an RFC 5424 MSGID (32), and say what they are', () => {
  assert.ok(EVENT_NAMES.length > 20);
  for (const name of EVENT_NAMES) {
    assert.match(name, /^[a-z]+(\.[a-z_]+)+$/, name);
    assert.ok(name.length <= 32, name);
    assert.ok(EVENTS[name].about.length > 10, name);
  }
  assert.equal(isEventName('knock.open'), true);
  assert.equal(isEventName('toString'), false);
  assert.equal(eventOf(ev('ban.add', { src: 'x' })), 'ban.add');
  assert.equal(eventOf({ event: 'made.up' }), undefined);
  assert.equal(isSecurityEvent(ev('knock.open')), true);
  assert.equal(isSecurityEvent(ev('knock.stage')), false);
  assert.equal(isSecurityEvent(undefined), false);
});

/** The built JavaScript of the daemon (dist/src), without tests. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.js') && !p.endsWith('.test.js') && !p.endsWith('testing.js') ? [p] : [];
  });
}

test('docs/logging.md lists every event with its level and security flag', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/logging.md', import.meta.url)), 'utf8');
  for (const name of EVENT_NAMES) {
    const spec = EVENTS[name];
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    assert.ok(row, `docs/logging.md has no row for ${name}`);
    assert.ok(row.startsWith(`| \`${name}\` | ${spec.level} | ${spec.security ? '**yes**' : 'no'} |`), `docs/logging.md: ${row}`);
  }
});

test('every event name written anywhere in the code is in the vocabulary', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const used = new Set<string>();
  for (const file of sources(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bev\('([^']+)'/g)) used.add(m[1]!);
    for (const m of text.matchAll(/\bevent: '([^']+)'/g)) used.add(m[1]!);
  }
  assert.ok(used.size > 20, `found only ${[...used].join(', ')}`);
  const unknown = [...used].filter((n) => !isEventName(n));
  assert.deepEqual(unknown, [], 'names used but not in src/log/events.ts');
});

test('a scenario through the whole daemon: each event line has the vocabulary\'s level and only its fields', async () => {
  const s = observedDaemon();
  await runScenario(s);
  const seen = new Set<string>();
  for (const e of s.log.entries) {
    const name = e.fields?.['event'];
    if (name === undefined) continue;
    assert.ok(isEventName(name), `unknown event ${String(name)}: ${e.msg}`);
    seen.add(name);
    const spec = EVENTS[name];
    assert.equal(e.level, spec.level, `${name}: ${e.msg}`);
    const extra = Object.keys(e.fields!).filter((k) => k !== 'event' && !spec.fields.includes(k));
    assert.deepEqual(extra, [], `${name} carries fields the vocabulary does not list: ${e.msg}`);
  }
  const expected = ['daemon.start', 'daemon.stop', 'knock.stage', 'knock.open', 'knock.fail', 'knock.timeout', 'ban.add',
    'grant.open', 'grant.extend', 'grant.close', 'grant.reconcile', 'command.run', 'command.expire', 'command.fail', 'command.output',
    'spa.accept', 'spa.reject'];
  assert.deepEqual(expected.filter((n) => !seen.has(n)), [], `seen: ${[...seen].join(', ')}\n${s.log.messages().join('\n')}`);
  // knockd's lines are unchanged.
  assert.ok(s.log.has('192.0.2.10: ssh: OPEN SESAME'));
  assert.ok(s.log.has('192.0.2.10: ssh: Stage 1'));
  assert.ok(s.log.has('cmd: running command: open 192.0.2.10'));
  assert.ok(s.log.has('cmd: command returned non-zero status code (2)'));
});
