// The control socket on a real daemon: `portcullis status`, `revoke` and
// `reload` run in the server namespace against `serve --control-socket` in
// the lab's folder; a command door lets the client through the lab firewall.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLab, labSkipReason, labRuleset, labConfig, labDoor, startPortcullis, portcullisKnock, portcullis,
  formatResult, escapeRegExp, run, SERVICE_PORT, type Lab, type LabProcess, type ExecResult,
} from './lab.js';
import { expectOpened, expectShut, type DoorLab } from './lab/fixture.js';
import type { StatusReport } from '../../src/control/types.js';

const skip = labSkipReason(['nft']);
const opts = { skip, timeout: 60_000 };

const SSH = labDoor({ name: 'openSSH', sequence: '7000,8000,9000', cmdTimeout: 60 });
const WEB = labDoor({ name: 'web', sequence: '7100,8100,9100', cmdTimeout: 60 });

interface Scene extends DoorLab {
  readonly socket: string;
  readonly configPath: string;
}

/** The lab firewall and service, and `portcullis serve` with the SSH door and its control socket at `socketIn(lab)`. */
async function scene(t: TestContext, id: string, socketIn = (lab: Lab) => join(lab.tmp, 'control.sock')): Promise<Scene> {
  const lab = await createLab(id);
  t.after(() => lab.destroy());
  await lab.nftSetup('server', labRuleset({ port: SERVICE_PORT }));
  await lab.startTcpService('server', SERVICE_PORT);
  const configPath = join(lab.tmp, 'portcullis.conf');
  const control = socketIn(lab);
  const stateDir = join(lab.tmp, 'state');
  const config = labConfig([], SSH);
  const daemon = await startPortcullis(lab, { config, configPath, stateDir, args: ['--control-socket', control] });
  return { lab, daemon, config, stateDir, socket: control, configPath };
}

/** `portcullis ARGS --control-socket SOCKET` in the server namespace. */
function control(s: { lab: Lab; socket: string }, ...args: string[]): Promise<ExecResult> {
  return s.lab.exec('server', portcullis(...args, '--control-socket', s.socket), { timeoutMs: 40_000 });
}

async function status(s: Scene): Promise<StatusReport> {
  const r = await control(s, 'status', '--json');
  assert.equal(r.code, 0, `${formatResult(r)}\n${s.daemon.output()}`);
  return JSON.parse(r.stdout) as StatusReport;
}

function knock(s: Scene, ...steps: string[]) {
  return portcullisKnock(s.lab, 'client', [s.lab.server.ip4, ...steps]);
}

function listening(daemon: LabProcess, socket: string, since = 0) {
  return daemon.waitForLine(new RegExp(`control socket listening on ${escapeRegExp(socket)}$`), 10_000, since);
}

test('status shows the grant and counters, revoke closes it now, reload reports config errors', opts, async (t) => {
  const s = await scene(t, 'ctl');
  const { lab, daemon } = s;
  const ip = lab.host('client').ip4;
  await listening(daemon, s.socket);
  assert.equal(statSync(s.socket).mode & 0o777, 0o600);

  let report = await status(s);
  assert.deepEqual(report.doors, [{ name: 'openSSH', kind: 'command', trigger: 'sequence', opens: [], steps: 3, attempts: 0 }]);
  assert.deepEqual(report.grants, []);

  await knock(s, '7000', '8000', '9000');
  await expectOpened(s, 'client', 4);
  report = await status(s);
  assert.equal(report.grants.length, 1, JSON.stringify(report));
  const grant = report.grants[0]!;
  assert.equal(grant.door, 'openSSH');
  assert.equal(grant.address, ip);
  assert.equal(grant.backend, 'command');
  assert.equal(grant.state, 'open');
  assert.ok(grant.secondsLeft !== undefined && grant.secondsLeft > 50 && grant.secondsLeft <= 60, `seconds left: ${grant.secondsLeft}`);
  assert.equal(report.counters.opens, 1);
  assert.ok(report.counters.knocks >= 3 && report.counters.packets >= 3, JSON.stringify(report.counters));
  assert.equal(report.config, s.configPath);

  const text = await control(s, 'status');
  assert.equal(text.code, 0, formatResult(text));
  assert.match(text.stdout, new RegExp(`\\n  openSSH +${escapeRegExp(ip)} +start command +(1 min|\\d+ s) +command\\n`));
  assert.match(text.stdout, /\n {2}opens +1\n/);

  let r = await control(s, 'revoke', ip);
  assert.equal(r.code, 0, formatResult(r));
  assert.equal(r.stdout.trim(), `revoked 1 grant of ${ip}`);
  // The stop command ran before the answer came: the client is shut out at once.
  await expectShut(s, 'client', 4);
  assert.ok(daemon.find(new RegExp(`${escapeRegExp(ip)}: openSSH: revoked, running the stop command now`)), daemon.output());
  assert.deepEqual((await status(s)).grants, []);
  r = await control(s, 'revoke', ip);
  assert.equal(r.stdout.trim(), `revoked 0 grants: none open for ${ip}`);

  // A broken file: the errors come back with file:line, the daemon keeps its doors.
  const broken = labConfig([], SSH, WEB.replace('7100,8100,9100', '7100,abc'));
  writeFileSync(s.configPath, broken);
  const badLine = broken.split('\n').findIndex((l) => l.includes('7100,abc')) + 1;
  r = await control(s, 'reload');
  assert.equal(r.code, 1, formatResult(r));
  assert.match(r.stderr, new RegExp(`${escapeRegExp(s.configPath)}:${badLine}: .*abc`));
  assert.match(r.stderr, /portcullis reload: the config file is not valid; still running with the previous configuration/);
  assert.ok(daemon.running, daemon.output());
  assert.equal((await status(s)).doors.length, 1);

  writeFileSync(s.configPath, labConfig([], SSH, WEB));
  r = await control(s, 'reload');
  assert.equal(r.code, 0, formatResult(r));
  assert.equal(r.stdout.trim(), 'configuration reloaded: 2 door(s)');
  assert.deepEqual((await status(s)).doors.map((d) => d.name), ['openSSH', 'web']);

  // The new door opens, and --all closes it.
  await knock(s, '7100', '8100', '9100');
  await daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: web: OPEN SESAME`), 5000);
  await expectOpened(s, 'client', 4);
  r = await control(s, 'revoke', '--all');
  assert.equal(r.stdout.trim(), 'revoked 1 grant', formatResult(r));
  await expectShut(s, 'client', 4);

  // Once the daemon is gone, so is its socket, and the clients say so.
  await daemon.stop();
  assert.equal(existsSync(s.socket), false);
  r = await run(portcullis('status', '--control-socket', s.socket));
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `portcullis status: no daemon is listening on ${s.socket} (is portcullis serve running?)`);
});

test('without a control socket the daemon warns once and guards its doors as usual', opts, async (t) => {
  // The socket's directory would have to be where a file is.
  const s = await scene(t, 'ctlbad', (lab) => {
    writeFileSync(join(lab.tmp, 'a-file'), '');
    return join(lab.tmp, 'a-file', 'control.sock');
  });
  await s.daemon.waitForLine(/control socket unavailable/, 10_000);
  const lines = s.daemon.all(/control socket/);
  assert.equal(lines.length, 1, s.daemon.output());
  assert.match(lines[0]!.text, /control socket unavailable \(status, revoke and reload will not work; the doors are guarded as usual\): cannot create the control socket .*a-file\/control\.sock: .*a-file is not a directory/);
  await knock(s, '7000', '8000', '9000');
  await expectOpened(s, 'client', 4);
  assert.ok(s.daemon.running, s.daemon.output());
});

test('a stale socket from a killed daemon is replaced; a live one is never taken over', opts, async (t) => {
  const s = await scene(t, 'ctlstale');
  const { lab } = s;
  await listening(s.daemon, s.socket);
  const first = (await status(s)).pid;

  // A second daemon on the same socket leaves it to the first.
  const second = await startPortcullis(lab, { config: labConfig([], WEB), args: ['--control-socket', s.socket] });
  await second.waitForLine(/control socket unavailable/, 10_000);
  assert.match(second.output(), /another process answers on .* not taking it over/);
  assert.equal((await status(s)).pid, first);
  await second.stop();
  assert.equal((await status(s)).pid, first, 'the second daemon did not remove the first one\'s socket');

  s.daemon.kill('SIGKILL');
  await s.daemon.exited;
  assert.ok(lstatSync(s.socket).isSocket(), 'kill -9 leaves the socket file');
  const r = await control(s, 'status');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no daemon is listening on .* \(is portcullis serve running\?\)/);

  const third = await startPortcullis(lab, { config: s.config, configPath: s.configPath, stateDir: s.stateDir, args: ['--control-socket', s.socket] });
  await listening(third, s.socket);
  const report = await status({ ...s, daemon: third });
  assert.notEqual(report.pid, first);
  assert.equal(statSync(s.socket).mode & 0o777, 0o600);
});
