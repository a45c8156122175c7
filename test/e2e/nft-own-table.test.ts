// The scripts of src/firewall/nft-script.ts against the real nft in a lab
// namespace: the protected port is dropped for everyone without a grant, a
// grant opens it for its address only, re-applying the table keeps grants,
// and the kernel closes a grant at its timeout with no daemon involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLab, labSkipReason, sleep, waitFor } from './lab.js';
import { closeScript, ownTableScript, openScript } from '../../src/firewall/nft-script.js';

const skip = labSkipReason(['nft']);
const TABLE = { name: 'portcullis', priority: -10, protected: [{ proto: 'tcp', port: 22 }] } as const;
const ssh = { proto: 'tcp', port: 22 } as const;

test('own nftables table: drop without a grant, open with one, kept on re-apply, closed by the kernel', { skip, timeout: 60_000 }, async (t) => {
  const lab = await createLab('nftown', { clients: ['client', 'client2'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  const nft = (script: string) => lab.mustExec('server', ['nft', '-f', '-'], { input: script });
  const reach = async (role: string, family: 4 | 6) => (await lab.tcpProbe(role, family === 4 ? lab.server.ip4 : lab.server.ip6, 22, 700)).connected;

  await nft(ownTableScript(TABLE));
  await nft(ownTableScript(TABLE)); // idempotent
  assert.equal(await reach('client', 4), false);
  assert.equal(await reach('client', 6), false);

  const client = lab.host('client');
  await nft(openScript(TABLE.name, [
    { address: client.ip4, service: ssh, timeoutSeconds: 4 },
    { address: client.ip6, service: ssh, timeoutSeconds: 60 },
  ]));
  assert.equal(await reach('client', 4), true);
  assert.equal(await reach('client', 6), true);
  assert.equal(await reach('client2', 4), false, 'a grant is for its address only');

  await nft(ownTableScript(TABLE)); // a daemon restart re-applies the table
  assert.equal(await reach('client', 4), true, 'grants survive re-applying the table');

  // The kernel expires the IPv4 grant (4 s) by itself.
  await sleep(1000);
  await waitFor('the IPv4 grant to expire', async () => !(await reach('client', 4)), 8000);
  assert.equal(await reach('client', 6), true);

  await nft(closeScript(TABLE.name, [{ address: client.ip6, service: ssh }, { address: client.ip4, service: ssh }]));
  assert.equal(await reach('client', 6), false);
});
