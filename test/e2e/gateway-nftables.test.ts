// Gateway access with the nftables backend and the real daemon: a door with
// `forward = tcp/13389 -> INSIDE:3389` lets the knocker reach an inside host's
// service through the gateway (DNAT plus a forward accept for that source
// only); other sources reach neither the gateway port nor, by routing, the
// inside service itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLab, labConfig, labSkipReason, portcullisKnock, startPortcullis, waitFor } from './lab.js';

test('nftables gateway: after the knock the client reaches the inside service through the gateway; others do not', { skip: labSkipReason(['nft']), timeout: 90_000 }, async (t) => {
  const lab = await createLab('gwnft', { clients: ['client', 'other'], inside: ['inside'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('inside', 3389);
  const inside = lab.host('inside').ip4;
  const text = labConfig(['firewall = nftables'], [
    '[rdp]',
    '    sequence     = 7000,8000',
    '    tcpflags     = syn',
    `    forward      = tcp/13389 -> ${inside}:3389`,
    '    open_timeout = 5',
    '',
  ].join('\n'));
  const daemon = await startPortcullis(lab, { config: text });
  const viaGateway = (role: string) => lab.tcpProbe(role, lab.server.ip4, 13389, 800);
  const direct = (role: string) => lab.tcpConnects(role, inside, 3389, 800);

  assert.equal((await viaGateway('client')).connected, false, 'no DNAT without a grant');
  assert.equal(await direct('client'), false, 'the inside service is not reachable by routing without a grant');

  await portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, '7000', '8000']);
  await daemon.waitForLine(/rdp: opened tcp\/13389->/, 5000);
  assert.deepEqual(await viaGateway('client'), { connected: true, reply: 'hello\n' }, `the knocker reaches the inside service\n${daemon.output()}`);
  assert.equal((await viaGateway('other')).connected, false, 'another source gets no DNAT');
  assert.equal(await direct('other'), false, 'nor a way in by routing');

  await waitFor('the forward grant to expire', async () => !(await viaGateway('client')).connected, 9000);
});
