// `portcullis rules --target iptables/ip6tables` loaded into the server
// namespace with iptables-restore --noflush, and the doors working with no
// daemon: the right sequence opens (IPv4 and IPv6), wrong order, too fast,
// too slow and beyond seq_timeout do not, another client stays out, the
// opening closes after open_timeout, a same-port door opens on its third SYN;
// and with `portcullis serve` running the same config, the rules still open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createLab, doorEvent, labSkipReason, mustSucceed, portcullis, portcullisKnock, run, sleep, startPortcullis, waitFor, writeConfig, type Lab,
} from './lab.js';

const skip = labSkipReason(['iptables-restore', 'ip6tables-restore']);
const opts = { skip, timeout: 60_000 };

// Knocks each 1 to 2 s after the previous one, all three within 3 s: `-d 1300`
// is in time (0, 1.3, 2.6 s); 300 ms gaps are too fast, 2.3 s too slow, and
// 1.6 s gaps keep each gap but miss seq_timeout (3.2 s).
const CONFIG = `
[openSSH]
    sequence      = 7000,8000:udp,9000
    seq_timeout   = 3
    tcpflags      = syn
    knock_min_gap = 1
    knock_max_gap = 2
    open          = tcp/22
    open_timeout  = 3

[samePort]
    sequence      = 2222,2222,2222
    knock_min_gap = 1
    knock_max_gap = 2
    open          = tcp/2222
    open_timeout  = 3
`;
const SEQUENCE = ['7000', '8000:udp', '9000'];

async function loadRules(lab: Lab, config: string): Promise<void> {
  const file = writeConfig(lab, config, 'rules');
  for (const [target, tool] of [['iptables', 'iptables'], ['ip6tables', 'ip6tables']] as const) {
    const rules = mustSucceed(await run(portcullis('rules', '-c', file, '--target', target))).stdout;
    await lab.mustExec('server', [`${tool}-restore`, '--noflush'], { input: rules });
    await lab.mustExec('server', [`${tool}-restore`, '--noflush'], { input: rules }); // loading again is fine
    await lab.mustExec('server', [tool, '-w', '-I', 'INPUT', '-j', 'PORTCULLIS-RULES']);
  }
}

const knock = (lab: Lab, role: string, delayMs: number, steps: readonly string[], family: 4 | 6 = 4) =>
  portcullisKnock(lab, role, ['-d', String(delayMs), family === 4 ? lab.server.ip4 : lab.server.ip6, ...steps]);
const reaches = (lab: Lab, role: string, port: number, family: 4 | 6 = 4) =>
  lab.tcpConnects(role, family === 4 ? lab.server.ip4 : lab.server.ip6, port, 700);

test('iptables recent rules: only the right sequence in time opens, for the knocker, for open_timeout', opts, async (t) => {
  const lab = await createLab('rulesipt', { clients: ['client', 'c2', 'c3', 'c4', 'c5'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  await lab.startTcpService('server', 2222);
  await loadRules(lab, CONFIG);
  assert.equal(await reaches(lab, 'client', 22), false, 'closed before any knock');
  assert.equal(await reaches(lab, 'client', 22, 6), false, 'closed before any knock (IPv6)');

  // The wrong knocks, side by side (each source has its own stages).
  await Promise.all([
    knock(lab, 'c2', 1300, ['9000', '8000:udp', '7000']), // wrong order
    knock(lab, 'c3', 300, SEQUENCE), // too fast
    knock(lab, 'c4', 2300, SEQUENCE), // too slow
    knock(lab, 'c5', 1600, SEQUENCE), // each gap in time, the whole beyond seq_timeout
  ]);
  for (const role of ['c2', 'c3', 'c4', 'c5']) assert.equal(await reaches(lab, role, 22), false, `${role} must stay out`);

  await knock(lab, 'client', 1300, SEQUENCE);
  assert.equal(await reaches(lab, 'client', 22), true, 'the right sequence opens');
  assert.equal(await reaches(lab, 'c2', 22), false, 'another client is not opened');
  assert.equal(await reaches(lab, 'client', 2222), false, 'only the door\'s own open ports');
  const list = await lab.mustExec('server', ['cat', '/proc/net/xt_recent/pcr4_openSSH_open']);
  assert.match(list.stdout, new RegExp(`src=${lab.host('client').ip4.replace(/\./g, '\\.')} `));
  await waitFor('the opening to close after open_timeout', async () => !(await reaches(lab, 'client', 22)), 8000);

  await knock(lab, 'client', 1300, SEQUENCE, 6);
  assert.equal(await reaches(lab, 'client', 22, 6), true, 'IPv6 opens through ip6tables');
  assert.equal(await reaches(lab, 'client', 22, 4), false, 'an IPv6 knock opens IPv6 only');

  // Same port: the third SYN to the service port, each 1-2 s after the previous one.
  await Promise.all([knock(lab, 'c2', 1300, ['2222', '2222', '2222']), knock(lab, 'c3', 300, ['2222', '2222', '2222'])]);
  assert.equal(await reaches(lab, 'c2', 2222), true, 'same-port knocking opens');
  assert.equal(await reaches(lab, 'c3', 2222), false, 'same-port knocks too fast do not');
});

test('iptables recent rules keep working with the daemon running the same doors', opts, async (t) => {
  const lab = await createLab('rulesiptd', { clients: ['client', 'c2'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  await loadRules(lab, CONFIG);
  const daemon = await startPortcullis(lab, { config: CONFIG });
  const ip = lab.host('client').ip4;

  await knock(lab, 'c2', 300, SEQUENCE); // too fast for both
  await knock(lab, 'client', 1300, SEQUENCE);
  assert.equal(await reaches(lab, 'client', 22), true, daemon.output());
  const list = await lab.mustExec('server', ['cat', '/proc/net/xt_recent/pcr4_openSSH_open']);
  assert.match(list.stdout, new RegExp(`src=${ip.replace(/\./g, '\\.')} `), 'the kernel rules opened it too');
  await daemon.waitForLine(doorEvent(ip, 'OPEN SESAME'), 5000);
  await sleep(300);
  assert.equal(daemon.find(doorEvent(lab.host('c2').ip4, 'OPEN SESAME')), undefined, 'the daemon honours knock_min_gap too');
  assert.equal(await reaches(lab, 'c2', 22), false);
});
