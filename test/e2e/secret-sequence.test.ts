// Replay-resistant sequences (`sequence_secret`) with the real daemon and
// nftables (`open = tcp/22`): `portcullis knock --secret` opens; the same
// ports sent again by someone else are refused, also after `kill -9` and a
// restart (the used window is on disk); a wrong secret opens nothing; a
// sequence whose window has passed is refused while the current one opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLab, escapeRegExp, labConfig, labSkipReason, portcullisKnock, sleep, startPortcullis, type Lab, type LabProcess } from './lab.js';

const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const QUICK_SECRET = 'q7hUQm0CkQ4xJcJ2u3cZ0u1r5m8yTtPvJz6WfB1KXa0=';
const WRONG = 'ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=';
const QUICK_WINDOW_S = 5;
/** Long enough for a packet to be processed by a busy daemon before we look. */
const SETTLE_MS = 1500;

function config(): string {
  return labConfig(['firewall = nftables', 'failurelimit = 1000'], [
    '[ssh]',
    `    sequence_secret = ${SECRET}`,
    '    sequence_window = 30',
    '    open            = tcp/22',
    '    open_timeout    = 120',
    '',
    '[quick]',
    `    sequence_secret = ${QUICK_SECRET}`,
    `    sequence_window = ${QUICK_WINDOW_S}`,
    '    open            = tcp/22',
    '    open_timeout    = 120',
    '',
  ].join('\n'));
}

test('sequence_secret: knock --secret opens once; replays (also after kill -9), an old window and a wrong secret do not',
  { skip: labSkipReason(['nft']), timeout: 180_000 }, async (t) => {
    const lab = await createLab('sq', { clients: ['client', 'attacker'] });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', 22);
    const stateDir = join(lab.tmp, 'state');
    const server = lab.server.ip4;
    const reach = (role: string) => lab.tcpConnects(role, server, 22, 700);
    const attacker = lab.host('attacker').ip4;
    const client = lab.host('client').ip4;
    let daemon = await startPortcullis(lab, { config: config(), stateDir });
    await daemon.waitForLine(/firewall backend: nftables/, 5000);
    assert.equal(await reach('client'), false, 'tcp/22 is protected before any knock');

    // A wrong secret: its ports are the wrong ones (decoys), nothing opens.
    let mark = daemon.mark();
    await portcullisKnock(lab, 'attacker', ['-d', '50', '--door', 'ssh', '--secret', WRONG, server]);
    await refused(lab, daemon, 'attacker', attacker, 'ssh', mark);

    // The legitimate knock; -v says which ports it sent (what a sniffer on the path sees).
    mark = daemon.mark();
    const knocked = await portcullisKnock(lab, 'client', ['-v', '-d', '50', '--door', 'ssh', '--secret', SECRET, server]);
    const ports = sentPorts(knocked.stdout, 'ssh');
    await daemon.waitForLine(new RegExp(`${escapeRegExp(client)}: ssh: OPEN SESAME`), 5000, mark);
    assert.equal(await reach('client'), true, `the knocker gets in\n${daemon.output()}`);
    assert.equal(await reach('attacker'), false, 'another address stays out');

    // The sniffed sequence replayed with the plain client: used up.
    mark = daemon.mark();
    await portcullisKnock(lab, 'attacker', ['-d', '50', server, ...ports]);
    await refused(lab, daemon, 'attacker', attacker, 'ssh', mark);

    // kill -9 and a restart within the window's lifetime: the used window was written before the open.
    daemon.kill('SIGKILL');
    await daemon.exited;
    daemon = await startPortcullis(lab, { config: config(), stateDir });
    mark = daemon.mark();
    await portcullisKnock(lab, 'attacker', ['-d', '50', server, ...ports]);
    await refused(lab, daemon, 'attacker', attacker, 'ssh', mark);
    // The restarted daemon does open for the next window's sequence (--next), so the refusal above is the record's doing.
    mark = daemon.mark();
    await portcullisKnock(lab, 'client', ['-d', '50', '--next', '--door', 'ssh', '--secret', SECRET, server]);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(client)}: ssh: OPEN SESAME`), 5000, mark);

    // An unused sequence of a window that has passed: refused once the windows moved on (w+2), while the current one opens.
    const printed = await portcullisKnock(lab, 'attacker', ['--print', '--door', 'quick', '--secret', QUICK_SECRET, '--window', String(QUICK_WINDOW_S), server]);
    const stale = printed.stdout.trim().split(',');
    const w = Math.floor(Date.now() / (QUICK_WINDOW_S * 1000));
    await sleep(Math.max(0, (w + 2) * QUICK_WINDOW_S * 1000 + 300 - Date.now()));
    mark = daemon.mark();
    await portcullisKnock(lab, 'attacker', ['-d', '50', server, ...stale]);
    await refused(lab, daemon, 'attacker', attacker, 'quick', mark);
    mark = daemon.mark();
    await portcullisKnock(lab, 'attacker', ['-d', '50', '--door', 'quick', '--secret', QUICK_SECRET, '--window', String(QUICK_WINDOW_S), server]);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(attacker)}: quick: OPEN SESAME`), 5000, mark);
    assert.equal(await reach('attacker'), true, `the current window's sequence opens\n${daemon.output()}`);
    await daemon.stop('SIGTERM');
  });

/** The ports `portcullis knock -v --secret` reports: "door NAME, window N: p1,p2,p3". */
function sentPorts(stdout: string, door: string): string[] {
  const m = new RegExp(`door ${door}, window \\d+: ([0-9,]+)`).exec(stdout);
  assert.ok(m, stdout);
  return m[1]!.split(',');
}

/** Nothing opened for `ip` on `door` since `mark`, and `role` cannot reach the service. */
async function refused(lab: Lab, daemon: LabProcess, role: string, ip: string, door: string, mark: number): Promise<void> {
  await sleep(SETTLE_MS);
  assert.equal(daemon.find(new RegExp(`${escapeRegExp(ip)}: ${door}: OPEN SESAME`), mark), undefined, `${role} was let in\n${daemon.output()}`);
  assert.equal(await lab.tcpConnects(role, lab.server.ip4, 22, 700), false, `${role} reaches tcp/22\n${daemon.output()}`);
}
