// Running `portcullis serve` as an operator does: reloading with SIGHUP,
// detaching with -d, JSON logs; and knocks beyond plain TCP: ICMP and payload
// steps, decoys that ban a source, a client using a served port mid-knock.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLab, labSkipReason, labRuleset, labConfig, labDoor, startPortcullis, portcullisKnock, portcullis, waitFor,
  sleep, doorEvent, escapeRegExp, formatResult, SERVICE_PORT, type Lab, type LabProcess,
} from './lab.js';

const skip = labSkipReason(['nft', 'ping']);
const opts = { skip, timeout: 45_000 };

interface Scene {
  readonly lab: Lab;
  readonly daemon: LabProcess;
  readonly configPath: string;
}

/** The lab firewall and service, extra services on `ports`, and `portcullis serve` with `config`. */
async function serve(t: TestContext, id: string, config: string, extra: { args?: string[]; ports?: number[] } = {}): Promise<Scene> {
  const lab = await createLab(id);
  t.after(() => lab.destroy());
  await lab.nftSetup('server', labRuleset({ port: SERVICE_PORT }));
  for (const port of [SERVICE_PORT, ...(extra.ports ?? [])]) await lab.startTcpService('server', port);
  const configPath = join(lab.tmp, 'portcullis.conf');
  const daemon = await startPortcullis(lab, { config, configPath, args: extra.args ?? [] });
  return { lab, daemon, configPath };
}

/**
 * The client is let in: in the firewall set, and the service answers. Then
 * the grant is taken back, so the next check starts from a shut door.
 */
async function expectLetIn(lab: Lab, log: () => string): Promise<void> {
  const ip = lab.host('client').ip4;
  await waitFor(`${ip} in allowed4\n${log()}`, () => lab.nftHasElement('server', 'allowed4', ip), 5000);
  const probe = await lab.tcpProbe('client', lab.server.ip4, SERVICE_PORT);
  assert.deepEqual(probe, { connected: true, reply: 'hello\n' }, `the client could not use the service\n${log()}`);
  await lab.mustExec('server', ['nft', 'delete', 'element', 'inet', 'lab', 'allowed4', `{ ${ip} }`]);
}

/** `door` logged OPEN SESAME for the client (after line `since`) and let it in. */
async function expectOpened(scene: Scene, door: string, since: number): Promise<void> {
  const { lab, daemon } = scene;
  await daemon.waitForLine(doorEvent(lab.host('client').ip4, 'OPEN SESAME', door), 5000, since);
  await expectLetIn(lab, () => daemon.output());
}

/** Nothing opened since line `since` (after a moment for late packets), and the client is still shut out. */
async function expectNotOpened(scene: Scene, since: number): Promise<void> {
  const { lab, daemon } = scene;
  await sleep(400);
  assert.equal(daemon.find(/OPEN SESAME/, since), undefined, daemon.output());
  assert.equal(await lab.nftHasElement('server', 'allowed4', lab.host('client').ip4), false, daemon.output());
  const probe = await lab.tcpProbe('client', lab.server.ip4, SERVICE_PORT);
  assert.equal(probe.error, 'ECONNREFUSED', `expected the firewall's reset\n${daemon.output()}`);
}

function knock(scene: Scene, ...steps: string[]) {
  return portcullisKnock(scene.lab, 'client', [scene.lab.server.ip4, ...steps]);
}

const door = (name: string, sequence: string) => labDoor({ name, sequence, stop: false });

test('SIGHUP right after the ready line reloads instead of killing the daemon', opts, async (t) => {
  const lab = await createLab('hupnow');
  t.after(() => lab.destroy());
  const daemon = await startPortcullis(lab, { config: labConfig([], door('openSSH', '7000,8000,9000')) });
  daemon.kill('SIGHUP');
  await daemon.waitForLine(/configuration reloaded/, 3000);
  assert.ok(daemon.running, daemon.output());
});

test('SIGHUP: a broken config is refused, a good one keeps attempts of unchanged doors', opts, async (t) => {
  // Many knocks land on ports that are decoys after the reload: no ban here.
  const options = ['FailureLimit = 100'];
  const doorA = door('doorA', '7000,8000,9000');
  const scene = await serve(t, 'hup', labConfig(options, doorA, door('doorB', '7100,8100,9100')));
  const { lab, daemon, configPath } = scene;
  const hup = async (done: RegExp) => {
    const since = daemon.mark();
    daemon.kill('SIGHUP');
    return daemon.waitForLine(done, 5000, since).then(() => since);
  };

  const broken = labConfig(options, door('doorA', '7000,abc'), door('doorB', '7100,8100,9100'));
  writeFileSync(configPath, broken);
  const badLine = broken.split('\n').findIndex((l) => l.includes('7000,abc')) + 1;
  let since = await hup(/still running with the previous configuration/);
  assert.ok(daemon.find(new RegExp(`${escapeRegExp(configPath)}:${badLine}: .*abc`), since), `no file:line error\n${daemon.output()}`);
  await sleep(300);
  assert.ok(daemon.running, `the daemon died on a broken config\n${daemon.output()}`);
  since = daemon.mark();
  await knock(scene, '7000', '8000', '9000');
  await expectOpened(scene, 'doorA', since);

  // Door A unchanged, door B moved. A's attempt is at stage 2 during the reload.
  const ip = lab.host('client').ip4;
  since = daemon.mark();
  await knock(scene, '7000', '8000');
  await daemon.waitForLine(doorEvent(ip, 'Stage 2', 'doorA'), 3000, since);
  writeFileSync(configPath, labConfig(options, doorA, door('doorB', '7200,8200,9200')));
  await hup(/configuration reloaded: 2 door/);
  await knock(scene, '9000');
  await expectOpened(scene, 'doorA', since);

  since = daemon.mark();
  await knock(scene, '7100', '8100', '9100');
  await expectNotOpened(scene, since);
  since = daemon.mark();
  await knock(scene, '7200', '8200', '9200');
  await expectOpened(scene, 'doorB', since);
  assert.equal(daemon.all(/OPEN SESAME/, since).length, 1, daemon.output());
});

/** Whether `pid` is a live process (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

test('-d with relative -c and -p paths: detaches, survives SIGHUP, cleans up on SIGTERM', opts, async (t) => {
  const lab = await createLab('detach');
  t.after(() => lab.destroy());
  await lab.nftSetup('server', labRuleset({ port: SERVICE_PORT }));
  await lab.startTcpService('server', SERVICE_PORT);
  const etc = join(lab.tmp, 'etc');
  mkdirSync(etc);
  const logFile = join(lab.tmp, 'portcullis.log');
  writeFileSync(join(etc, 'knockd.conf'), labConfig([`LogFile = ${logFile}`], door('openSSH', '7000,8000,9000')));
  const pidFile = join(etc, 'portcullis.pid');
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const log = () => `--- ${logFile} ---\n${readLog()}`;

  const started = Date.now();
  // knockd kept the relative -c path, chdir'd to / and died on the next SIGHUP.
  const r = await lab.exec('server', [
    'sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', etc,
    ...portcullis('serve', '-d', '-c', 'knockd.conf', '-p', 'portcullis.pid', '--state-dir', join(lab.tmp, 'state'), '-i', lab.server.iface),
  ], { timeoutMs: 15_000 });
  assert.equal(r.code, 0, formatResult(r));
  assert.ok(Date.now() - started < 10_000, `serve -d took ${Date.now() - started} ms to return`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  assert.ok(Number.isInteger(pid) && alive(pid), `pid file names no live process: ${readFileSync(pidFile, 'utf8')}`);
  t.after(() => { if (alive(pid)) process.kill(pid, 'SIGKILL'); });

  await portcullisKnock(lab, 'client', [lab.server.ip4, '7000', '8000', '9000']);
  await expectLetIn(lab, log);
  // The log file is the only witness left: stderr went with the terminal.
  const opened = new RegExp(doorEvent(lab.host('client').ip4, 'OPEN SESAME').source, 'gm');
  const logged = (n: number) => waitFor(`OPEN SESAME #${n} in the log file\n${log()}`, async () => readLog().match(opened)?.length === n, 3000);
  await logged(1);

  process.kill(pid, 'SIGHUP');
  await waitFor(`the reload in the log\n${log()}`, async () => /configuration reloaded/.test(readLog()), 5000);
  assert.ok(alive(pid), `the daemon died on SIGHUP\n${log()}`);
  await portcullisKnock(lab, 'client', [lab.server.ip4, '7000', '8000', '9000']);
  await expectLetIn(lab, log);
  await logged(2);

  process.kill(pid, 'SIGTERM');
  await waitFor(`pid ${pid} to exit\n${log()}`, async () => !alive(pid), 5000);
  assert.equal(existsSync(pidFile), false, `the pid file was left behind\n${log()}`);
  assert.match(readLog(), /shutting down/, log());
});

test('ICMP and payload steps: a plain ping does not disturb, a wrong payload does not open', opts, async (t) => {
  const sequence = 'icmp:payload=s3cret, 5000:udp:payload=0x6b6e6f636b, 7000';
  const scene = await serve(t, 'icmp', labConfig([], door('openSSH', sequence)));
  const { lab, daemon } = scene;
  let since = daemon.mark();
  await knock(scene, 'icmp:payload=s3cret', '5000:udp:payload=wrong', '7000');
  await expectNotOpened(scene, since);

  since = daemon.mark();
  await knock(scene, 'icmp:payload=s3cret');
  await daemon.waitForLine(doorEvent(lab.host('client').ip4, 'Stage 1'), 3000, since);
  const ping = await lab.exec('client', ['ping', '-n', '-c', '1', '-W', '2', lab.server.ip4]);
  assert.equal(ping.code, 0, formatResult(ping));
  await knock(scene, '5000:udp:payload=knock', '7000');
  await expectOpened(scene, 'openSSH', since);
});

test('--log-format json: every stderr line is a JSON record; OPEN SESAME carries event, src, door', opts, async (t) => {
  const scene = await serve(t, 'json', labConfig([], door('openSSH', '7000,8000,9000')), { args: ['--log-format', 'json'] });
  const { lab, daemon } = scene;
  await knock(scene, '7000', '8000', '9000');
  await daemon.waitForLine(/"event":"knock.open"/, 5000);
  await expectLetIn(lab, () => daemon.output());
  await daemon.stop();

  const records = daemon.lines.filter((l) => l.stream === 'stderr').map((l) => {
    try {
      return JSON.parse(l.text) as Record<string, unknown>;
    } catch {
      return assert.fail(`not JSON: ${l.text}\n${daemon.output()}`);
    }
  });
  assert.ok(records.length >= 3, daemon.output());
  for (const r of records) {
    assert.ok(typeof r.time === 'string' && !Number.isNaN(Date.parse(r.time)), `bad time in ${JSON.stringify(r)}`);
    assert.ok(['debug', 'info', 'warn', 'error'].includes(r.level as string), `bad level in ${JSON.stringify(r)}`);
    assert.equal(typeof r.msg, 'string', JSON.stringify(r));
  }
  const open = records.filter((r) => r.event === 'knock.open');
  assert.equal(open.length, 1, daemon.output());
  assert.equal(open[0]?.src, lab.host('client').ip4);
  assert.equal(open[0]?.door, 'openSSH');
  assert.match(String(open[0]?.msg), /OPEN SESAME/);
});

test('a source that hits FailureLimit decoys is ignored for BanTime, then may knock again', opts, async (t) => {
  const scene = await serve(t, 'ban', labConfig(['FailureLimit = 3', 'BanTime = 5'], door('openSSH', '7000,8000,9000')));
  const { lab, daemon } = scene;
  const ip = lab.host('client').ip4;
  await knock(scene, '1111', '2222', '3333');
  const ban = await daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many failed knocks, ignoring this source for 5 s`), 3000);

  let since = daemon.mark();
  await knock(scene, '7000', '8000', '9000');
  await expectNotOpened(scene, since);
  assert.equal(daemon.find(doorEvent(ip, 'Stage 1'), since), undefined, `a banned source's knock counted\n${daemon.output()}`);

  await sleep(Math.max(0, ban.at + 5200 - Date.now()));
  since = daemon.mark();
  await knock(scene, '7000', '8000', '9000');
  await expectOpened(scene, 'openSSH', since);
});

test('a connection to a served port mid-knock does not fail the attempt; one to an unserved port does', opts, async (t) => {
  const scene = await serve(t, 'served', labConfig([], door('openSSH', '7000,8000,9000')), { ports: [8080] });
  const { lab, daemon } = scene;
  const ip = lab.host('client').ip4;
  // The control: 8081 is served by nothing, so it is a decoy.
  let since = daemon.mark();
  await knock(scene, '7000');
  assert.equal((await lab.tcpProbe('client', lab.server.ip4, 8081)).error, 'ECONNREFUSED');
  await knock(scene, '8000', '9000');
  await expectNotOpened(scene, since);
  assert.ok(daemon.find(/attempt failed at stage 1 \(decoy on port 8081\)/, since), daemon.output());

  since = daemon.mark();
  await knock(scene, '7000');
  await daemon.waitForLine(doorEvent(ip, 'Stage 1'), 3000, since);
  assert.deepEqual(await lab.tcpProbe('client', lab.server.ip4, 8080), { connected: true, reply: 'hello\n' });
  await knock(scene, '8000', '9000');
  await expectOpened(scene, 'openSSH', since);
  assert.equal(daemon.find(/attempt failed/, since), undefined, daemon.output());
});
