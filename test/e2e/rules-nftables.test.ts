// `portcullis rules --target nftables` loaded into the server namespace with
// nft -f, and the doors working with no daemon: the right sequence opens
// (IPv4 and IPv6), wrong order, too fast, too slow and beyond seq_timeout do
// not, another client stays out, a stage's element and the opening both
// expire in the kernel, a same-port door opens on its third SYN; and with
// `portcullis serve` (and its own nftables table) running the same config,
// the rules still open. The scene is lab/rules-scene.ts, shared with
// rules-iptables.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, waitFor, type Lab } from './lab.js';
import { knock, printRules, rulesOpenInTime, rulesWithDaemon, type RulesTarget } from './lab/rules-scene.js';

const skip = labSkipReason(['nft']);
const opts = { skip, timeout: 60_000 };
const TABLE = 'inet portcullis_rules';

const inSet = (lab: Lab, set: string, role: string, family: 4 | 6 = 4) =>
  lab.nftHasElement('server', set, family === 4 ? lab.host(role).ip4 : lab.host(role).ip6, TABLE);

const NFTABLES: RulesTarget = {
  labId: 'rulesnft',
  ipv6Through: 'the _6 sets',
  async load(lab, file) {
    const script = await printRules(file, 'nftables');
    await lab.mustExec('server', ['nft', '-f', '-'], { input: script });
    await lab.mustExec('server', ['nft', '-f', '-'], { input: script }); // loading again replaces the table
  },
  async assertOpened(lab, role, message) {
    assert.equal(await inSet(lab, 'openSSH_open_4', role), true, message);
  },
  async afterOpen(lab) {
    assert.equal(await inSet(lab, 'openSSH_s2_4', 'client'), false, 'the last step leaves the stage');
  },
  async beforeKnocks(lab) {
    // One knock puts the source in stage 1, which the kernel forgets after the 2 s window.
    await knock(lab, 'c5', 0, ['7000']);
    assert.equal(await inSet(lab, 'openSSH_s1_4', 'c5'), true, 'stage 1 holds the first knock');
    await waitFor('stage 1 to expire', async () => !(await inSet(lab, 'openSSH_s1_4', 'c5')), 5000);
  },
};

test('nftables timeout sets: only the right sequence in time opens, for the knocker, for open_timeout', opts, (t) => rulesOpenInTime(t, NFTABLES));

test('nftables rules keep working with the daemon running the same doors', opts, (t) => rulesWithDaemon(t, NFTABLES));
