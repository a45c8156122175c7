// The iptables backend as a gateway: a service on an inside host is reached
// through a port on the server (DNAT) by a source with a forward entry, and
// by nobody else, neither through the gateway port nor routed straight to
// the inside address. IPv4 and IPv6 (ip6tables nat), closing, and the
// kernel's own expiry of a forward entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../../src/firewall/backend.js';
import { ExecToolRunner } from '../../src/firewall/tool.js';
import { IptablesBackend } from '../../src/firewall/iptables.js';
import { createLab, labSkipReason, sleep, waitFor } from './lab.js';

const skip = labSkipReason(['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore']);
const GATEWAY_PORT = 13389;
const INSIDE_PORT = 3389;

test('iptables gateway: DNAT and forward for the granted source only, until close or expiry', { skip, timeout: 60_000 }, async (t) => {
  const lab = await createLab('gwipt', { clients: ['a', 'b'], inside: ['inside'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('inside', INSIDE_PORT);
  const inside = lab.host('inside');
  const fw = new IptablesBackend({ runner: new ExecToolRunner({ prefix: ['ip', 'netns', 'exec', lab.ns('server')] }) });
  t.after(() => fw.dispose());
  const service = { proto: 'tcp', port: GATEWAY_PORT } as const;
  const to4 = { host: inside.ip4, port: INSIDE_PORT };
  const to6 = { host: inside.ip6, port: INSIDE_PORT };

  // Without any firewall, the lab routes to the inside service: the FWD drops must be what stops it.
  assert.equal(await lab.tcpConnects('a', inside.ip4, INSIDE_PORT, 700), true, 'the lab routes to the inside host');
  await fw.prepare({ protected: [], forwarded: [{ ...service, forward: to4 }, { ...service, forward: to6 }] });
  await fw.prepare({ protected: [], forwarded: [{ ...service, forward: to4 }, { ...service, forward: to6 }] });

  const through = async (role: string, family: 4 | 6) => {
    const probe = await lab.tcpProbe(role, family === 4 ? lab.server.ip4 : lab.server.ip6, GATEWAY_PORT, 700);
    return probe.connected && probe.reply === 'hello\n';
  };
  const direct = (role: string, family: 4 | 6) => lab.tcpConnects(role, family === 4 ? inside.ip4 : inside.ip6, INSIDE_PORT, 700);

  for (const family of [4, 6] as const) {
    assert.equal(await through('a', family), false, `IPv${family}: no way through the gateway port without an entry`);
    assert.equal(await direct('a', family), false, `IPv${family}: the inside service is not routed to without an entry`);
  }

  const expiresAt = Date.now() + 60_000;
  const a4: Entry = { address: lab.host('a').ip4, family: 4, service, forward: to4, expiresAt };
  const a6: Entry = { address: lab.host('a').ip6, family: 6, service, forward: to6, expiresAt };
  await fw.open([a4, a6], Date.now());
  const listed = await fw.list(Date.now());
  assert.deepEqual(listed.map((e) => `${e.address} ${e.forward?.host}:${e.forward?.port}`).sort(), [`${a4.address} ${inside.ip4}:3389`, `${a6.address} ${inside.ip6}:3389`].sort());
  for (const family of [4, 6] as const) {
    assert.equal(await through('a', family), true, `IPv${family}: a reaches the inside service through the gateway port`);
    assert.equal(await through('b', family), false, `IPv${family}: b still does not`);
    assert.equal(await direct('b', family), false, `IPv${family}: nor routed straight to the inside host`);
  }
  assert.equal(await direct('a', 4), false, 'the entry is for the gateway port, not for routing to the inside address');

  await fw.close([a4, a6]);
  assert.deepEqual(await fw.list(Date.now()), []);
  for (const family of [4, 6] as const) assert.equal(await through('a', family), false, `IPv${family}: closed`);

  // The kernel ends a forward entry at its expiry, with nobody closing it.
  const short: Entry = { address: lab.host('b').ip4, family: 4, service, forward: to4, expiresAt: Date.now() + 2000 };
  await fw.open([short], Date.now());
  assert.equal(await through('b', 4), true, 'b is let through before its expiry');
  await sleep(1500);
  await waitFor('the forward entry to expire', async () => !(await through('b', 4)), 5000);
  const [expired] = await fw.list(Date.now());
  assert.ok(expired?.expiresAt !== undefined && expired.expiresAt <= Date.now(), 'list reports the rule as expired');

  await fw.remove();
  const left = (await lab.mustExec('server', ['iptables', '-w', '-t', 'nat', '-S'])).stdout + (await lab.mustExec('server', ['ip6tables', '-w', '-S'])).stdout;
  assert.doesNotMatch(left, /PORTCULLIS/, `remove takes the gateway chains away\n${left}`);
});
