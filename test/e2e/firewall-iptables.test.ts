// The firewall contract on the real iptables/ip6tables inside a lab
// namespace, with real packets, for both variants (nf_tables and legacy,
// whose messages and batch commits differ); then what only this backend
// promises: the administrator's own rules in INPUT are untouched by prepare
// and remove, the jump is inserted once however often prepare runs, and
// remove leaves no chain of Portcullis behind; and a session opened under
// an entry outlives the entry's close (the ESTABLISHED,RELATED accept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendContract, LAYOUT, SSH } from '../../src/firewall/contract.js';
import { IptablesBackend } from '../../src/firewall/iptables.js';
import type { ToolRunner } from '../../src/firewall/tool.js';
import { labFirewallSubject } from './lab/firewall-subject.js';
import { labSkipReason } from './lab.js';

// An echo service, and a client that sends "one", prints "session open" at its
// echo, sends "two" on SIGUSR1 and prints "session survived" at that echo.
const ECHO = `require('node:net').createServer((s) => { s.on('error', () => {}); s.pipe(s); })
  .listen({ port: Number(process.argv[1]), host: '::', ipv6Only: false }, () => console.log('listening'));`;
const SESSION = `const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
let got = '';
s.setEncoding('utf8');
s.on('connect', () => s.write('one\\n'));
s.on('data', (d) => { got += d; if (got === 'one\\n') console.log('session open'); if (got === 'one\\ntwo\\n') { console.log('session survived'); process.exit(0); } });
s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
process.on('SIGUSR1', () => s.write('two\\n'));
setTimeout(() => process.exit(1), 20000);`;

const skip = labSkipReason(['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore']);

backendContract('iptables', () => labFirewallSubject('fwipt', (runner) => new IptablesBackend({ runner })), { skip });

/** Runs iptables-legacy for iptables, ip6tables-legacy-restore for ip6tables-restore, ... */
function legacy(runner: ToolRunner): ToolRunner {
  const map = (file: string) => file.replace(/^(ip6?tables)/, '$1-legacy');
  return {
    argv: (file, args) => runner.argv(map(file), args),
    run: (file, args, input) => runner.run(map(file), args, input),
    spawn: (file, args) => runner.spawn(map(file), args),
  };
}
const legacySkip = skip || labSkipReason(['iptables-legacy', 'ip6tables-legacy', 'iptables-legacy-restore', 'ip6tables-legacy-restore']);
backendContract('iptables (legacy)', () => labFirewallSubject('fwiptl', (runner) => new IptablesBackend({ runner: legacy(runner) })), { skip: legacySkip });

test('iptables backend: leaves the administrator\'s rules alone, one jump, nothing left after remove', { skip, timeout: 60_000 }, async (t) => {
  const s = await labFirewallSubject('fwipt2', (runner) => new IptablesBackend({ runner }));
  t.after(() => s.cleanup());
  const { lab } = s;
  const save = async (tool: string) => (await lab.mustExec('server', [tool, '-w', '-S'])).stdout;
  const adminRule = ['-A', 'INPUT', '-p', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', 'admin', '-j', 'REJECT'];
  for (const tool of ['iptables', 'ip6tables']) await lab.mustExec('server', [tool, '-w', ...adminRule]);

  for (let i = 0; i < 3; i++) await s.backend.prepare(LAYOUT);
  for (const tool of ['iptables', 'ip6tables']) {
    const rules = await save(tool);
    const jumps = rules.split('\n').filter((l) => l.startsWith('-A INPUT ') && l.includes('-j PORTCULLIS'));
    assert.deepEqual(jumps, ['-A INPUT -m comment --comment portcullis -j PORTCULLIS'], `${tool}: one jump after three prepares\n${rules}`);
    assert.match(rules, /^-A INPUT -p tcp -m tcp --dport 8080 -m comment --comment admin -j REJECT/m, `${tool}: the admin rule is kept`);
    const input = rules.split('\n').filter((l) => l.startsWith('-A INPUT'));
    assert.equal(input[0], jumps[0], `${tool}: the jump is first in INPUT`);
  }

  await s.backend.open([{ address: s.clients.a4, family: 4, service: SSH, expiresAt: Date.now() + 60_000 }], Date.now());
  const chain = (await lab.mustExec('server', ['iptables', '-w', '-S', 'PORTCULLIS'])).stdout.trim().split('\n');
  assert.equal(chain.length, 7, `-N, established, two jumps to the ban chain, one grant, two drops:\n${chain.join('\n')}`);
  assert.match(chain[1]!, /--ctstate RELATED,ESTABLISHED -j ACCEPT$/);
  assert.match(chain[2]!, /--dport 22 .*-j PORTCULLIS-BANS$/);
  assert.match(chain[3]!, /-p udp -m udp --dport 1194 .*-j PORTCULLIS-BANS$/);
  assert.match(chain[4]!, new RegExp(`^-A PORTCULLIS -s ${s.clients.a4}/32 -p tcp -m tcp --dport 22 -m time --datestop \\S+ -m comment --comment "portcullis exp=\\d+" -j ACCEPT$`));
  assert.match(chain[5]!, /--dport 22 .*-j DROP$/);
  assert.match(chain[6]!, /-p udp -m udp --dport 1194 .*-j DROP$/);

  // A batch refreshed within the same second has the very same specs (iptables-nft once refused that batch).
  const expiresAt = Date.now() + 60_000;
  const batch = [s.clients.a4, s.clients.b4, s.clients.a6].map((address) => ({ address, family: address.includes(':') ? 6 : 4, service: SSH, expiresAt } as const));
  for (let i = 0; i < 3; i++) await s.backend.open(batch, Date.now());
  assert.equal((await s.backend.list(Date.now())).length, 3);
  const grants = (await save('iptables')).split('\n').filter((l) => l.includes('portcullis exp='));
  assert.equal(grants.length, 2, `one rule per IPv4 entry\n${grants.join('\n')}`);

  await s.backend.remove();
  for (const tool of ['iptables', 'ip6tables']) {
    const rules = await save(tool);
    assert.doesNotMatch(rules, /PORTCULLIS|portcullis/, `${tool}: nothing of Portcullis is left\n${rules}`);
    assert.match(rules, /--comment admin -j REJECT/, `${tool}: the admin rule survives remove`);
  }
  assert.equal(await lab.tcpConnects('a', lab.server.ip4, 22, 700), true, 'the port is reachable again without the chain');
});

test('iptables backend: an open session outlives the close of its entry, a new one does not get in', { skip, timeout: 60_000 }, async (t) => {
  const s = await labFirewallSubject('fwipt3', (runner) => new IptablesBackend({ runner }));
  t.after(() => s.cleanup());
  const { lab } = s;
  const port = 2222;
  await s.backend.prepare({ protected: [{ proto: 'tcp', port }], forwarded: [] });
  await lab.spawn('server', [process.execPath, '-e', ECHO, String(port)], 'server:echo').waitForLine(/^listening/, 15_000);
  const key = { address: s.clients.a4, family: 4, service: { proto: 'tcp', port } } as const;
  await s.backend.open([{ ...key, expiresAt: Date.now() + 60_000 }], Date.now());
  const session = lab.spawn('a', [process.execPath, '-e', SESSION, lab.server.ip4, String(port)], 'a:session');
  await session.waitForLine(/^session open/, 10_000);
  await s.backend.close([key]);
  assert.equal(await lab.tcpConnects('a', lab.server.ip4, port, 700), false, 'a new connection is dropped after close');
  session.kill('SIGUSR1');
  await session.waitForLine(/^session survived/, 5000);
});
