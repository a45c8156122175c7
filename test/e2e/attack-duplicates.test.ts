// Attack (on the legitimate client's side): duplicated and retransmitted
// SYNs. A client's knock packets get duplicated on the way, and a knock
// client that makes real connection attempts to dropped ports has its
// kernel retransmit each SYN (after 1 s). Without duplicate tolerance the
// repeat of a step fails the attempt; with `allow_duplicates = yes` it is
// ignored and the door opens. The server drops the knock ports (an nft table
// with a counter, so the test also proves every SYN went out twice); the
// capture sees the packets before the firewall. Two doors on one daemon, the
// same traffic pattern on each: `knock` (7000,8000,9000, allow_duplicates =
// yes) must open, `strict` (7100,8100,9100, without) must not.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, formatResult } from './lab.js';
import { attackScene, KNOCK_DOOR, KNOCK_PORTS, SERVICE, type AttackScene } from './lab/attack.js';

const skip = labSkipReason(['nft', 'hping3', 'fwknop']);
const STRICT_PORTS = [7100, 8100, 9100] as const;
const STRICT = [
  '[strict]',
  `    sequence     = ${STRICT_PORTS.join(',')}`,
  '    seq_timeout  = 10',
  '    tcpflags     = syn',
  `    open         = tcp/${SERVICE}`,
  '',
].join('\n');

// The knock ports are dropped (and counted) in the server's own table, as
// on a host whose firewall drops everything it does not serve.
const DROP_KNOCKS = `table inet atdrop {
  chain input {
    type filter hook input priority -200;
    tcp dport { ${[...KNOCK_PORTS, ...STRICT_PORTS].join(', ')} } counter drop
  }
}
`;

async function scene(t: TestContext, id: string): Promise<AttackScene> {
  const s = await attackScene(t, { id, clients: ['client'], knock: ['allow_duplicates = yes'], doors: STRICT });
  await s.lab.nftSetup('server', DROP_KNOCKS);
  return s;
}

async function dropped(s: AttackScene): Promise<number> {
  const r = await s.lab.mustExec('server', ['nft', '-j', 'list', 'table', 'inet', 'atdrop']);
  const rules = (JSON.parse(r.stdout) as { nftables: Array<{ rule?: { expr: Array<{ counter?: { packets: number } }> } }> }).nftables;
  return rules.flatMap((e) => e.rule?.expr ?? []).reduce((n, x) => n + (x.counter?.packets ?? 0), 0);
}

/** Sends `ports` as knocks with `send`, checks each went out twice, and returns the doors granted to the client. */
async function knockTwice(t: TestContext, s: AttackScene, ports: readonly number[], send: (port: number) => Promise<void>): Promise<string[]> {
  const base = await dropped(s);
  for (const port of ports) await send(port);
  const copies = (await dropped(s)) - base;
  t.diagnostic(`${ports.join(',')}: the server dropped ${copies} SYNs`);
  assert.ok(copies >= 2 * ports.length, `expected every SYN twice, the server dropped ${copies} for ${ports.length} ports`);
  await new Promise((r) => setTimeout(r, 500));
  return s.grantsOf('client');
}

/** The contrast is the duplicates': one SYN per port opens the strict door. */
async function strictOpensOnce(s: AttackScene): Promise<void> {
  const mark = s.daemon.mark();
  await s.knock('client', [], STRICT_PORTS);
  await s.daemon.waitForLine(/: strict: OPEN SESAME/, 10_000, mark);
  assert.deepEqual(await s.grantsOf('client'), [KNOCK_DOOR, 'strict']);
}

test('each knock SYN sent twice (hping3 -c 2 per port): with allow_duplicates = yes the door opens; without, the same traffic does not',
  { skip, timeout: 90_000 }, async (t) => {
    const s = await scene(t, 'at3');
    const hping = async (port: number) => {
      const r = await s.lab.exec('client', ['hping3', '-q', '-S', '-p', String(port), '-c', '2', '-i', 'u20000', s.lab.server.ip4], { timeoutMs: 20_000 });
      assert.match(r.stdout + r.stderr, /2 packets transmitted/, formatResult(r));
    };
    assert.deepEqual(await knockTwice(t, s, STRICT_PORTS, hping), [], `strict door opened on duplicates\n${s.daemon.output()}`);
    const mark = s.daemon.mark();
    await knockTwice(t, s, KNOCK_PORTS, hping);
    await s.knockOpened('client', mark);
    await s.expectGrant('client', KNOCK_DOOR);
    assert.deepEqual(await s.grantsOf('client'), [KNOCK_DOOR]);
    await strictOpensOnce(s);
  });

test('retransmitted SYNs (connection attempts to dropped knock ports, each retransmitted by the kernel after 1 s): with allow_duplicates = yes the door opens; without, it does not',
  { skip, timeout: 90_000 }, async (t) => {
    const s = await scene(t, 'at4');
    // 1.6 s per port: the first SYN and the retransmission at ~1 s, well inside seq_timeout (10 s) for three ports.
    const connect = async (port: number) => {
      const probe = await s.lab.tcpProbe('client', s.lab.server.ip4, port, 1600);
      assert.equal(probe.connected, false);
    };
    assert.deepEqual(await knockTwice(t, s, STRICT_PORTS, connect), [], `strict door opened on retransmissions\n${s.daemon.output()}`);
    const mark = s.daemon.mark();
    await knockTwice(t, s, KNOCK_PORTS, connect);
    await s.knockOpened('client', mark);
    await s.expectGrant('client', KNOCK_DOOR);
    assert.deepEqual(await s.grantsOf('client'), [KNOCK_DOOR]);
    await strictOpensOnce(s);
  });
