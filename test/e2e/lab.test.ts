// The lab itself: addressing, isolation between labs, the firewall helpers,
// the TCP helpers, and that destroy() leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createLab, labRuleset, labSkipReason, listNamespaces, run } from './lab.js';

const skip = labSkipReason();

test('two clients and an inside host reach the server over IPv4 and IPv6', { skip, timeout: 60_000 }, async (t) => {
  const lab = await createLab('self', { clients: ['client', 'client2'], inside: ['inside'] });
  t.after(() => lab.destroy());
  for (const role of ['client', 'client2', 'inside']) {
    const target = role === 'inside' ? lab.serverInside : lab.server;
    assert.ok(target);
    for (const addr of [target.ip4, target.ip6]) {
      const r = await lab.exec(role, ['ping', '-c', '1', '-W', '2', addr]);
      assert.equal(r.code, 0, `${role} -> ${addr}: ${r.stdout}${r.stderr}`);
    }
  }
  // Routed through the server: a client reaches the inside host.
  const r = await lab.exec('client', ['ping', '-c', '1', '-W', '2', lab.host('inside').ip4]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // No default route anywhere.
  for (const role of ['server', 'client', 'inside']) {
    const routes = await lab.mustExec(role, ['ip', 'route', 'show', 'default']);
    assert.equal(routes.stdout.trim(), '', `${role} has a default route`);
  }
});

test('the firewall helpers and the TCP service work, and destroy() removes everything', { skip, timeout: 60_000 }, async (t) => {
  const lab = await createLab('self');
  t.after(() => lab.destroy());
  const service = await lab.startTcpService('server', 22);
  const open = await lab.tcpProbe('client', lab.server.ip4, 22);
  assert.deepEqual(open, { connected: true, reply: 'hello\n' });

  await lab.nftSetup('server', labRuleset({ port: 22 }));
  const blocked = await lab.tcpProbe('client', lab.server.ip4, 22);
  assert.equal(blocked.connected, false);
  assert.equal(blocked.error, 'ECONNREFUSED');

  const client = lab.host('client');
  await lab.mustExec('server', ['nft', 'add', 'element', 'inet', 'lab', 'allowed4', `{ ${client.ip4} }`]);
  await lab.mustExec('server', ['nft', 'add', 'element', 'inet', 'lab', 'allowed6', `{ ${client.ip6} }`]);
  assert.equal(await lab.nftHasElement('server', 'allowed4', client.ip4), true);
  assert.equal(await lab.nftHasElement('server', 'allowed6', client.ip6), true);
  assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22), true);
  assert.equal(await lab.tcpConnects('client', lab.server.ip6, 22), true);

  const tmp = lab.tmp;
  const namespaces = [lab.ns('server'), lab.ns('client')];
  await lab.destroy();
  await lab.destroy(); // idempotent
  assert.equal(service.running, false);
  assert.equal(existsSync(tmp), false);
  const left = listNamespaces().filter((n) => namespaces.includes(n));
  assert.deepEqual(left, []);
  // The host has no trace of the lab's firewall.
  const host = await run(['nft', 'list', 'tables']);
  assert.doesNotMatch(host.stdout, /inet lab/);
});

test('labs built at the same time do not interfere', { skip, timeout: 60_000 }, async (t) => {
  const labs = await Promise.all([createLab('par'), createLab('par'), createLab('par')]);
  t.after(() => Promise.all(labs.map((l) => l.destroy())));
  assert.equal(new Set(labs.map((l) => l.name)).size, labs.length);
  for (const lab of labs) {
    const r = await lab.exec('client', ['ping', '-c', '1', '-W', '2', lab.server.ip4]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
});

test('a lone client is wired straight to the server; bridge: true puts it on a bridge', { skip, timeout: 60_000 }, async (t) => {
  const direct = await createLab('wire');
  t.after(() => direct.destroy());
  assert.equal(direct.server.iface, 'eth0');
  const bridged = await createLab('wire', { bridge: true });
  t.after(() => bridged.destroy());
  assert.equal(bridged.server.iface, 'lan0');
  for (const lab of [direct, bridged]) {
    const r = await lab.exec('client', ['ping', '-c', '1', '-W', '2', lab.server.ip6]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
});
