import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError, type Entry } from './backend.js';
import { backendContract, LAYOUT, SSH, VPN } from './contract.js';
import { FakeFirewallCmd } from './firewalld-fake.js';
import { FirewalldBackend, parseRule, richRule, sourcelessAccept } from './firewalld.js';
import { RecordingToolRunner, type ToolResult } from './tool.js';

const T0 = 1_700_000_000_000;
const A4 = '192.0.2.7';
const RULE_A4_SSH = 'rule family="ipv4" source address="192.0.2.7" port port="22" protocol="tcp" accept';

/**
 * A fake firewalld with its shipped zones plus `knock`, an empty zone of the
 * administrator's. `clean`: ssh is removed from `public` (the default zone),
 * as a Portcullis user does; else `public` still opens 22/tcp to everyone.
 */
function setup(zone?: string, { clean = true } = {}) {
  let now = T0;
  const fake = new FakeFirewallCmd(() => now);
  fake.addZone('knock');
  if (clean) fake.removeService('public', 'ssh');
  const runner = new RecordingToolRunner();
  let broken = false;
  const spawnFailure: ToolResult = { code: null, stdout: '', stderr: '', error: 'cannot run firewall-cmd: spawn firewall-cmd ENOENT' };
  runner.respond = (call) => (broken ? spawnFailure : fake.run(call));
  const make = () => new FirewalldBackend(zone === undefined ? { runner } : { runner, zone });
  return {
    fake, runner, make, backend: make(),
    now: () => now,
    sleep: async (ms: number) => { now += ms; },
    breakRunner: (on: boolean) => { broken = on; },
  };
}

// The one contract, twice: in a named zone with firewalld stopping (exit 252),
// and in the default zone (without ssh) with firewall-cmd itself failing to run.
for (const mode of ['firewalld stops', 'firewall-cmd cannot run'] as const) {
  backendContract(`firewalld (fake firewall-cmd, ${mode})`, async () => {
    const s = setup(mode === 'firewalld stops' ? 'knock' : undefined);
    return {
      backend: s.backend,
      restart: async () => s.make(),
      setFailing: (f: boolean) => { if (mode === 'firewalld stops') s.fake.running = !f; else s.breakRunner(f); },
      clients: { a4: A4, b4: '192.0.2.8', a6: '2001:db8::7' },
      now: s.now,
      sleep: s.sleep,
      cleanup: async () => undefined,
    };
  });
}

const ssh = (address: string, seconds: number, now = T0): Entry =>
  ({ address, family: address.includes(':') ? 6 : 4, service: SSH, expiresAt: now + seconds * 1000 });

describe('firewalld backend: the commands it runs', () => {
  it('open = remove, then add with --timeout; the rich rule is one argv element', async () => {
    const s = setup('public');
    await s.backend.open([ssh(A4, 60)], s.now());
    assert.deepEqual(s.runner.calls.map((c) => [c.file, ...c.args]), [
      ['firewall-cmd', '--zone=public', `--remove-rich-rule=${RULE_A4_SSH}`],
      ['firewall-cmd', '--zone=public', `--add-rich-rule=${RULE_A4_SSH}`, '--timeout=60'],
    ]);
    assert.deepEqual(s.fake.rules('public'), [{ rule: RULE_A4_SSH, expiresAt: T0 + 60_000 }]);
  });

  it('without a zone, no --zone argument (firewalld uses its default zone)', async () => {
    const s = setup();
    await s.backend.open([ssh('2001:DB8:0::7', 30)], s.now());
    assert.deepEqual(s.runner.calls[1]!.args, ['--add-rich-rule=rule family="ipv6" source address="2001:db8::7" port port="22" protocol="tcp" accept', '--timeout=30']);
  });

  it('firewalld keeps the old timer on a re-add (ALREADY_ENABLED), which is why open removes first', async () => {
    const s = setup('public');
    const add = (t: number) => s.fake.run({ file: 'firewall-cmd', args: ['--zone=public', `--add-rich-rule=${RULE_A4_SSH}`, `--timeout=${t}`] });
    assert.equal(add(60).code, 0);
    const again = add(600);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /^Warning: ALREADY_ENABLED: /);
    assert.equal(s.fake.rules('public')[0]!.expiresAt, T0 + 60_000, 'timer not refreshed');
  });

  it('extending: exactly one rule, with the new timeout, and the old timer no longer cuts it short', async () => {
    const s = setup('public');
    await s.backend.open([ssh(A4, 60)], s.now());
    s.runner.calls.length = 0;
    await s.backend.open([ssh(A4, 600)], s.now());
    assert.deepEqual(s.runner.lines(), [
      `firewall-cmd --zone=public --remove-rich-rule=${RULE_A4_SSH}`,
      `firewall-cmd --zone=public --add-rich-rule=${RULE_A4_SSH} --timeout=600`,
    ]);
    assert.deepEqual(s.fake.rules('public'), [{ rule: RULE_A4_SSH, expiresAt: T0 + 600_000 }]);
    await s.sleep(61_000);
    assert.equal((await s.backend.list(s.now())).length, 1, 'still there past the first timeout');
    await s.sleep(540_000);
    assert.deepEqual(await s.backend.list(s.now()), [], 'gone at the new timeout');
  });

  it('close = --remove-rich-rule; a missing rule is success (warning and 0, or exit 12 on old firewalld)', async () => {
    for (const legacy of [false, true]) {
      const s = setup('public');
      s.fake.legacyCodes = legacy;
      await s.backend.open([ssh(A4, 60)], s.now());
      s.runner.calls.length = 0;
      await s.backend.close([{ address: A4, family: 4, service: SSH }]);
      await s.backend.close([{ address: A4, family: 4, service: SSH }]);
      assert.deepEqual(s.runner.lines(), Array(2).fill(`firewall-cmd --zone=public --remove-rich-rule=${RULE_A4_SSH}`));
      assert.deepEqual(s.fake.rules('public'), []);
      // Opening on old firewalld: the remove of a missing rule exits 12, still fine.
      await s.backend.open([ssh(A4, 60)], s.now());
      assert.equal(s.fake.rules('public').length, 1);
    }
  });

  it('an ALREADY_ENABLED answer to the add (the rule came back in between) is an error, not success', async () => {
    const s = setup('public');
    s.runner.respond = (call) => (call.args.some((a) => a.startsWith('--add-rich-rule='))
      ? { code: 0, stdout: 'success\n', stderr: `Warning: ALREADY_ENABLED: '${RULE_A4_SSH}' already in 'public'\n` }
      : s.fake.run(call));
    await assert.rejects(s.backend.open([ssh(A4, 60)], s.now()), (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_TOOL_FAILED');
  });

  it('list reads back only rules of exactly our shape; the administrator\'s are left alone by remove()', async () => {
    const s = setup('public');
    const admin = [
      'rule family="ipv4" source address="198.51.100.0/24" port port="22" protocol="tcp" accept',
      'rule family="ipv4" source address="192.0.2.9" service name="ssh" accept',
      'rule family="ipv4" source address="192.0.2.9" port port="22" protocol="tcp" drop',
      'rule family="ipv4" port port="22" protocol="tcp" accept',
    ];
    for (const r of admin) s.fake.addAdminRule('public', r);
    await s.backend.open([ssh(A4, 60), { ...ssh('2001:db8::7', 60), service: VPN }], s.now());
    assert.deepEqual(await s.backend.list(s.now()), [
      { address: A4, family: 4, service: SSH },
      { address: '2001:db8::7', family: 6, service: VPN },
    ]);
    await s.backend.remove();
    assert.deepEqual(s.fake.rules('public').map((r) => r.rule), admin);
  });

  it('parseRule refuses near misses: non-canonical address, family mismatch, port out of range', () => {
    assert.deepEqual(parseRule(RULE_A4_SSH), { address: A4, family: 4, service: SSH });
    for (const line of [
      RULE_A4_SSH.replace('192.0.2.7', '192.000.2.7'),
      RULE_A4_SSH.replace('ipv4', 'ipv6'),
      RULE_A4_SSH.replace('"22"', '"65536"'),
      RULE_A4_SSH.replace('"22"', '"022"'),
      'rule family="ipv6" source address="2001:DB8::7" port port="22" protocol="tcp" accept',
      `rule priority="-1" ${RULE_A4_SSH.slice(5)}`,
      `${RULE_A4_SSH} limit value="1/m"`,
    ]) assert.equal(parseRule(line), undefined, line);
  });

  it('a timed rule is runtime-only: a firewalld reload drops it, and the reconcile must re-open', async () => {
    const s = setup('public');
    await s.backend.open([ssh(A4, 60)], s.now());
    s.fake.reload();
    assert.deepEqual(await s.backend.list(s.now()), []);
  });
});

describe('firewalld backend: values are literals before they reach firewall-cmd', () => {
  const bad = (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_BAD_VALUE';

  it('refuses injection attempts and bad values, and runs nothing at all', async () => {
    const s = setup('public');
    const cases: Entry[] = [
      ssh('1.2.3.4" accept rule family="ipv4', 60),
      ssh('1.2.3.4 accept', 60),
      ssh('192.0.2.0/24', 60),
      ssh('host.example', 60),
      { ...ssh(A4, 60), family: 6 },
      { ...ssh(A4, 60), service: { proto: 'tcp', port: 0 } },
      { ...ssh(A4, 60), service: { proto: 'tcp', port: 65536 } },
      { ...ssh(A4, 60), service: { proto: 'icmp' as 'tcp', port: 22 } },
      { ...ssh(A4, 60), forward: { host: '10.1.0.2', port: 22 } },
    ];
    // Timeouts: whole seconds that fit firewalld's int32.
    const times: Entry[] = [{ ...ssh(A4, 60), expiresAt: Number.NaN }, ssh(A4, 2 ** 31)];
    for (const e of [...cases, ...times]) {
      // One bad entry after a good one: nothing of the batch runs.
      await assert.rejects(s.backend.open([ssh('192.0.2.8', 60), e], s.now()), bad, JSON.stringify(e));
    }
    for (const e of cases) await assert.rejects(s.backend.close([{ address: A4, family: 4, service: SSH }, e]), bad, JSON.stringify(e));
    assert.deepEqual(s.runner.calls, []);
  });

  it('zone names are checked when the backend is built', () => {
    const runner = new RecordingToolRunner();
    for (const zone of ['', 'a"b', 'public --panic-on', 'zone/x', 'x'.repeat(18), '--zone=drop']) {
      assert.throws(() => new FirewalldBackend({ runner, zone }), bad, zone);
    }
    assert.doesNotThrow(() => new FirewalldBackend({ runner, zone: 'my_zone-1' }));
    assert.equal(richRule({ address: '::ffff:192.0.2.7', family: 6, service: SSH }),
      'rule family="ipv6" source address="::ffff:192.0.2.7" port port="22" protocol="tcp" accept');
  });
});

describe('firewalld backend: prepare', () => {
  const refused = (message: string) => (e: unknown) => {
    assert.ok(e instanceof FirewallError, String(e));
    assert.equal(e.code, 'FIREWALL_BAD_VALUE');
    assert.equal(e.message, message);
    return true;
  };
  const TAIL = '; or choose another zone (firewalld_zone in [options])';

  it('checks that firewalld runs, the zone target, its ports, services and rich rules', async () => {
    const s = setup('knock');
    await s.backend.prepare(LAYOUT);
    assert.deepEqual(s.runner.lines(), [
      'firewall-cmd --state',
      'firewall-cmd --zone=knock --list-all',
      'firewall-cmd --zone=knock --query-port=22/tcp',
      'firewall-cmd --zone=knock --query-port=1194/udp',
      'firewall-cmd --zone=knock --list-services',
      'firewall-cmd --zone=knock --list-rich-rules',
    ]);
  });

  it('a clean zone passes: the default zone without ssh, its other services read at runtime (no --zone)', async () => {
    const s = setup();
    await s.backend.prepare(LAYOUT);
    assert.deepEqual(s.runner.lines(), [
      'firewall-cmd --state',
      'firewall-cmd --list-all',
      'firewall-cmd --query-port=22/tcp',
      'firewall-cmd --query-port=1194/udp',
      'firewall-cmd --list-services',
      'firewall-cmd --info-service=dhcpv6-client',
      'firewall-cmd --list-rich-rules',
    ]);
  });

  it('the shipped default zone (public, with its ssh service) is refused: the service and the command that removes it', async () => {
    const s = setup(undefined, { clean: false });
    await assert.rejects(s.backend.prepare(LAYOUT), refused(
      'the default firewalld zone already opens 22/tcp to every source, so knocking would protect nothing: ' +
      `its service ssh opens 22/tcp (remove it with firewall-cmd --remove-service=ssh, and again with --permanent)${TAIL}`));
    const named = setup('public', { clean: false });
    await assert.rejects(named.backend.prepare(LAYOUT), refused(
      'firewalld zone public already opens 22/tcp to every source, so knocking would protect nothing: ' +
      `its service ssh opens 22/tcp (remove it with firewall-cmd --zone=public --remove-service=ssh, and again with --permanent)${TAIL}`));
  });

  it('a service opens a port through the services it includes; several services, one command', async () => {
    const s = setup('knock');
    s.fake.defineService('office', { ports: ['8443/tcp'], includes: ['openvpn'] });
    s.fake.addService('knock', 'office');
    s.fake.addService('knock', 'ssh');
    await assert.rejects(s.backend.prepare(LAYOUT), refused(
      'firewalld zone knock already opens 22/tcp, 1194/udp to every source, so knocking would protect nothing: ' +
      'its service office opens 1194/udp, its service ssh opens 22/tcp ' +
      `(remove them with firewall-cmd --zone=knock --remove-service=office --remove-service=ssh, and again with --permanent)${TAIL}`));
    assert.ok(s.runner.lines().includes('firewall-cmd --info-service=openvpn'), 'the included service is read too');
  });

  it('a service whose port range covers a protected port, or that accepts the whole protocol, opens it', async () => {
    const s = setup('knock');
    s.fake.defineService('range', { ports: ['1000-2000/udp'] });
    s.fake.defineService('alltcp', { protocols: ['tcp'] });
    s.fake.addService('knock', 'range');
    s.fake.addService('knock', 'alltcp');
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError &&
      e.message.includes('its service range opens 1194/udp, its service alltcp opens 22/tcp '));
  });

  it('a zone with target ACCEPT (trusted) is refused: every port is open; the fix sets the target back', async () => {
    const s = setup('trusted');
    await assert.rejects(s.backend.prepare(LAYOUT), refused(
      'firewalld zone trusted already opens 22/tcp, 1194/udp to every source, so knocking would protect nothing: ' +
      'its target is ACCEPT, which accepts every port ' +
      `(set it back with firewall-cmd --permanent --zone=trusted --set-target=default, then firewall-cmd --reload)${TAIL}`));
    for (const target of ['DROP', 'REJECT', 'default'] as const) {
      s.fake.setTarget('trusted', target);
      await s.backend.prepare(LAYOUT);
    }
  });

  it('the target comes from the runtime --list-all, since --get-target needs --permanent', async () => {
    const s = setup('knock');
    const run = (...args: string[]) => s.fake.run({ file: 'firewall-cmd', args });
    const runtime = run('--zone=knock', '--get-target');
    assert.equal(runtime.code, 2);
    assert.match(runtime.stderr, /Option can be used only with --permanent\./);
    assert.equal(run('--permanent', '--zone=trusted', '--get-target').stdout, 'ACCEPT\n');
    assert.match(run('--zone=trusted', '--list-all').stdout, /^trusted\n {2}target: ACCEPT\n/);
    // --info-service belongs to no zone: firewall-cmd refuses --zone with it.
    assert.equal(run('--zone=knock', '--info-service=ssh').code, 2);
    assert.equal(run('--info-service=ssh').stdout.split('\n')[1], '  ports: 22/tcp');
  });

  it('a zone that opens a protected port to everyone is refused with a message saying how to fix it', async () => {
    const s = setup('public');
    s.fake.addPort('public', '22/tcp');
    await assert.rejects(s.backend.prepare(LAYOUT), refused(
      'firewalld zone public already opens 22/tcp to every source, so knocking would protect nothing: ' +
      `the port 22/tcp is added to it (remove it with firewall-cmd --zone=public --remove-port=22/tcp, and again with --permanent)${TAIL}`));
  });

  it('an administrator\'s rich rule accepting a protected port with no source is refused, quoted for the shell in the fix', async () => {
    const rule = 'rule family="ipv4" port port="22" protocol="tcp" accept';
    const s = setup('knock');
    s.fake.addAdminRule('knock', rule);
    await assert.rejects(s.backend.prepare(LAYOUT), refused(
      'firewalld zone knock already opens 22/tcp to every source, so knocking would protect nothing: ' +
      `its rich rule '${rule}' accepts 22/tcp (remove it with firewall-cmd --zone=knock --remove-rich-rule='${rule}', and again with --permanent)${TAIL}`));
  });

  it('rich rules: a service, a port range, a protocol, source NOT, a limit or a log still accept from every source', async () => {
    const cases: [string, string][] = [
      ['rule service name="ssh" accept', 'accepts 22/tcp'],
      ['rule port port="1000-2000" protocol="udp" accept', 'accepts 1194/udp'],
      ['rule protocol value="udp" accept', 'accepts 1194/udp'],
      ['rule family="ipv6" source NOT address="2001:db8::/32" port port="22" protocol="tcp" accept', 'accepts 22/tcp from every source it does not exclude'],
      ['rule family="ipv4" port port="22" protocol="tcp" log prefix="ssh " level="info" accept limit value="3/m"', 'accepts 22/tcp'],
    ];
    for (const [rule, says] of cases) {
      const s = setup('knock');
      s.fake.addAdminRule('knock', rule);
      const listed = s.fake.rules('knock')[0]!.rule;
      await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError &&
        e.message.includes(`its rich rule '${listed}' ${says} (remove it with firewall-cmd --zone=knock --remove-rich-rule='${listed}', and again`), rule);
    }
  });

  it('rich rules with a source (Portcullis\'s own grants among them), or that drop, or open another port, pass', async () => {
    const s = setup('knock');
    for (const rule of [
      'rule family="ipv4" source address="198.51.100.0/24" port port="22" protocol="tcp" accept',
      'rule family="ipv4" source ipset="office" service name="ssh" accept',
      'rule family="ipv4" port port="22" protocol="tcp" drop',
      'rule family="ipv4" port port="2222" protocol="tcp" accept',
      'rule service name="dhcpv6-client" accept',
    ]) s.fake.addAdminRule('knock', rule);
    await s.backend.open([ssh(A4, 60)], s.now());
    await s.backend.prepare(LAYOUT);
  });

  it('sourcelessAccept reads what a rule accepts, and nothing from rules it does not understand', () => {
    assert.deepEqual(sourcelessAccept('rule family="ipv4" port port="22" protocol="tcp" accept'),
      { source: 'none', element: { kind: 'port', range: { from: 22, to: 22, proto: 'tcp' } } });
    assert.deepEqual(sourcelessAccept('rule priority="-10" family="ipv4" destination address="192.0.2.1" accept'), { source: 'none', element: { kind: 'any' } });
    assert.deepEqual(sourcelessAccept('rule family="ipv4" source not ipset="x" service name="ssh" accept'), { source: 'not', element: { kind: 'service', name: 'ssh' } });
    for (const rule of [
      RULE_A4_SSH,
      'rule family="ipv4" source mac="00:11:22:33:44:55" accept',
      'rule family="ipv4" port port="22" protocol="tcp" reject type="icmp-port-unreachable"',
      'rule family="ipv4" port port="22" protocol="tcp" mark set=1',
      'rule family="ipv4" port port="22" protocol="tcp" log prefix="accept"',
      'rule family="ipv4" source-port port="22" protocol="tcp" accept',
      'rule family="ipv4" forward-port port="22" protocol="tcp" to-port="2222"',
      'rule family="ipv4" icmp-block name="echo-request"',
      'rule family="ipv4" masquerade',
      'rule family="ipv4" port port="22" protocol="tcp" service name="ssh" accept',
      'rule family="ipv4" port port="22 protocol="tcp" accept',
      'rule family="ipv4" frobnicate accept',
      'accept',
    ]) assert.equal(sourcelessAccept(rule), undefined, rule);
  });

  it('all causes at once: a service, a port and a rich rule, each with its fix', async () => {
    const s = setup(undefined, { clean: false });
    s.fake.addPort('public', '1194/udp');
    s.fake.addAdminRule('public', 'rule service name="openvpn" accept');
    await assert.rejects(s.backend.prepare(LAYOUT), refused(
      'the default firewalld zone already opens 22/tcp, 1194/udp to every source, so knocking would protect nothing: ' +
      'the port 1194/udp is added to it (remove it with firewall-cmd --remove-port=1194/udp, and again with --permanent); ' +
      'its service ssh opens 22/tcp (remove it with firewall-cmd --remove-service=ssh, and again with --permanent); ' +
      'its rich rule \'rule service name="openvpn" accept\' accepts 1194/udp ' +
      `(remove it with firewall-cmd --remove-rich-rule='rule service name="openvpn" accept', and again with --permanent)${TAIL}`));
  });

  it('the default zone works too, even when firewall-cmd prints its "not the active zone" note first', async () => {
    const s = setup();
    s.fake.defaultZoneInactive = true;
    await s.backend.prepare(LAYOUT);
    assert.match(s.fake.run({ file: 'firewall-cmd', args: ['--list-services'] }).stdout, /^You're performing an operation over default zone \('public'\),\n[^]*option\.\n\ndhcpv6-client\n$/);
    s.fake.removeService('public', 'dhcpv6-client');
    await s.backend.prepare(LAYOUT); // the note, then no services at all
    s.fake.addService('public', 'ssh');
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError && e.message.includes('its service ssh opens 22/tcp'));
    s.fake.removeService('public', 'ssh');
    s.fake.addPort('public', '1194/udp');
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError &&
      e.message.startsWith('the default firewalld zone already opens 1194/udp to every source') && e.message.includes('(remove it with firewall-cmd --remove-port=1194/udp,'));
    s.fake.setTarget('public', 'ACCEPT');
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError && e.message.includes('its target is ACCEPT'));
    await s.backend.open([ssh(A4, 60)], s.now());
    assert.equal((await s.backend.list(s.now())).length, 1);
  });

  it('firewalld not running -> FIREWALL_UNAVAILABLE; firewall-cmd missing -> FIREWALL_UNAVAILABLE', async () => {
    const s = setup();
    s.fake.running = false;
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) =>
      e instanceof FirewallError && e.code === 'FIREWALL_UNAVAILABLE' && /^firewalld is not running: firewall-cmd exited with 252: not running$/.test(e.message));
    s.fake.running = true;
    s.breakRunner(true);
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_UNAVAILABLE' && /ENOENT/.test(e.message));
  });

  it('an unknown zone is a tool failure with firewall-cmd\'s answer', async () => {
    const s = setup('nosuchzone');
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) =>
      e instanceof FirewallError && e.code === 'FIREWALL_TOOL_FAILED' && /INVALID_ZONE: nosuchzone/.test(e.message));
  });

  it('firewall-cmd failing halfway (firewalld stops) is a FirewallError, never a pass', async () => {
    for (const failing of ['--list-all', '--query-port', '--list-services', '--info-service', '--list-rich-rules']) {
      const s = setup();
      s.runner.respond = (call) => (call.args.some((a) => a.startsWith(failing))
        ? { code: 252, stdout: '', stderr: 'FirewallD is not running\n' }
        : s.fake.run(call));
      await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_UNAVAILABLE', failing);
    }
    const s = setup();
    s.runner.respond = (call) => (call.args.includes('--list-all') ? { code: 0, stdout: 'public\n  services: ssh\n', stderr: '' } : s.fake.run(call));
    await assert.rejects(s.backend.prepare(LAYOUT), (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_TOOL_FAILED' &&
      e.message === 'cannot read the target of the default firewalld zone: firewall-cmd --list-all printed no "target:" line');
  });

  it('gateway forwarding is refused: firewalld rich rules here are for local ports only', async () => {
    const s = setup();
    const layout = { protected: [SSH], forwarded: [{ proto: 'tcp', port: 13389, forward: { host: '10.1.0.2', port: 3389 } }] } as const;
    await assert.rejects(s.backend.prepare(layout), (e: unknown) =>
      e instanceof FirewallError && e.code === 'FIREWALL_BAD_VALUE' && e.message === 'gateway forwarding needs the nftables or iptables backend');
    assert.deepEqual(s.runner.calls, []);
  });
});
