// The scene both `portcullis rules` end-to-end tests run, parameterised by
// target: the config printed as kernel rules and loaded into the server
// namespace, then the doors knocked with no daemon, and with `portcullis
// serve` running the same config. Each target says how its rules are loaded
// and how its kernel state (recent lists, sets) shows an opening.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  createLab, doorEvent, mustSucceed, portcullis, portcullisKnock, run, sleep, startPortcullis, waitFor, writeConfig, type Lab,
} from '../lab.js';

// Knocks each 1 to 2 s after the previous one, all three within 3 s: `-d 1300`
// is in time (0, 1.3, 2.6 s); 300 ms gaps are too fast, 2.3 s too slow, and
// 1.6 s gaps keep each gap but miss seq_timeout (3.2 s).
const RULES_CONFIG = `
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

export interface RulesTarget {
  /** Prefix of the labs' names; the daemon test adds "d". */
  readonly labId: string;
  /** What carries IPv6 openings, for the message: "ip6tables", "the _6 sets". */
  readonly ipv6Through: string;
  /** Loads the rules for the config in `file` into the server namespace. */
  load(lab: Lab, file: string): Promise<void>;
  /** Asserts that the kernel's own state holds the IPv4 opening of `role`'s door openSSH. */
  assertOpened(lab: Lab, role: string, message?: string): Promise<void>;
  /** More checks of the kernel's state right after `client` opened openSSH over IPv4. */
  afterOpen?(lab: Lab): Promise<void>;
  /** The target's checks on the freshly loaded rules, before any other knock. */
  beforeKnocks?(lab: Lab): Promise<void>;
}

/** `portcullis rules -c FILE --target TARGET`'s output. */
export async function printRules(file: string, target: string): Promise<string> {
  return mustSucceed(await run(portcullis('rules', '-c', file, '--target', target))).stdout;
}

export const knock = (lab: Lab, role: string, delayMs: number, steps: readonly string[], family: 4 | 6 = 4) =>
  portcullisKnock(lab, role, ['-d', String(delayMs), family === 4 ? lab.server.ip4 : lab.server.ip6, ...steps]);
const reaches = (lab: Lab, role: string, port: number, family: 4 | 6 = 4) =>
  lab.tcpConnects(role, family === 4 ? lab.server.ip4 : lab.server.ip6, port, 700);

async function loadRules(lab: Lab, target: RulesTarget): Promise<void> {
  await target.load(lab, writeConfig(lab, RULES_CONFIG, 'rules'));
}

/** Only the right sequence in time opens, for the knocker, for open_timeout; IPv6 and a same-port door too. */
export async function rulesOpenInTime(t: TestContext, target: RulesTarget): Promise<void> {
  const lab = await createLab(target.labId, { clients: ['client', 'c2', 'c3', 'c4', 'c5'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  await lab.startTcpService('server', 2222);
  await loadRules(lab, target);
  assert.equal(await reaches(lab, 'client', 22), false, 'closed before any knock');
  assert.equal(await reaches(lab, 'client', 22, 6), false, 'closed before any knock (IPv6)');
  await target.beforeKnocks?.(lab);

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
  await target.assertOpened(lab, 'client');
  await target.afterOpen?.(lab);
  assert.equal(await reaches(lab, 'c2', 22), false, 'another client is not opened');
  assert.equal(await reaches(lab, 'client', 2222), false, 'only the door\'s own open ports');
  await waitFor('the opening to close after open_timeout', async () => !(await reaches(lab, 'client', 22)), 8000);

  await knock(lab, 'client', 1300, SEQUENCE, 6);
  assert.equal(await reaches(lab, 'client', 22, 6), true, `IPv6 opens through ${target.ipv6Through}`);
  assert.equal(await reaches(lab, 'client', 22, 4), false, 'an IPv6 knock opens IPv6 only');

  // Same port: the third SYN to the service port, each 1-2 s after the previous one.
  await Promise.all([knock(lab, 'c2', 1300, ['2222', '2222', '2222']), knock(lab, 'c3', 300, ['2222', '2222', '2222'])]);
  assert.equal(await reaches(lab, 'c2', 2222), true, 'same-port knocking opens');
  assert.equal(await reaches(lab, 'c3', 2222), false, 'same-port knocks too fast do not');
}

/** With `portcullis serve` running the same doors, the kernel rules still open, and the daemon agrees. */
export async function rulesWithDaemon(t: TestContext, target: RulesTarget): Promise<void> {
  const lab = await createLab(`${target.labId}d`, { clients: ['client', 'c2'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  await loadRules(lab, target);
  const daemon = await startPortcullis(lab, { config: RULES_CONFIG });
  const ip = lab.host('client').ip4;

  await knock(lab, 'c2', 300, SEQUENCE); // too fast for both
  await knock(lab, 'client', 1300, SEQUENCE);
  assert.equal(await reaches(lab, 'client', 22), true, daemon.output());
  await target.assertOpened(lab, 'client', 'the kernel rules opened it too');
  await daemon.waitForLine(doorEvent(ip, 'OPEN SESAME'), 5000);
  await sleep(300);
  assert.equal(daemon.find(doorEvent(lab.host('c2').ip4, 'OPEN SESAME')), undefined, 'the daemon honours knock_min_gap too');
  assert.equal(await reaches(lab, 'c2', 22), false);
}
