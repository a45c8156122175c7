// `portcullis rules --target iptables/ip6tables` loaded into the server
// namespace with iptables-restore --noflush, and the doors working with no
// daemon: the right sequence opens (IPv4 and IPv6), wrong order, too fast,
// too slow and beyond seq_timeout do not, another client stays out, the
// opening closes after open_timeout, a same-port door opens on its third SYN;
// and with `portcullis serve` running the same config, the rules still open.
// The scene is lab/rules-scene.ts, shared with rules-nftables.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason } from './lab.js';
import { printRules, rulesOpenInTime, rulesWithDaemon, type RulesTarget } from './lab/rules-scene.js';

const skip = labSkipReason(['iptables-restore', 'ip6tables-restore']);
const opts = { skip, timeout: 60_000 };

const IPTABLES: RulesTarget = {
  labId: 'rulesipt',
  ipv6Through: 'ip6tables',
  async load(lab, file) {
    for (const tool of ['iptables', 'ip6tables'] as const) {
      const rules = await printRules(file, tool);
      await lab.mustExec('server', [`${tool}-restore`, '--noflush'], { input: rules });
      await lab.mustExec('server', [`${tool}-restore`, '--noflush'], { input: rules }); // loading again is fine
      await lab.mustExec('server', [tool, '-w', '-I', 'INPUT', '-j', 'PORTCULLIS-RULES']);
    }
  },
  async assertOpened(lab, role, message) {
    const list = await lab.mustExec('server', ['cat', '/proc/net/xt_recent/pcr4_openSSH_open']);
    assert.match(list.stdout, new RegExp(`src=${lab.host(role).ip4.replace(/\./g, '\\.')} `), message);
  },
};

test('iptables recent rules: only the right sequence in time opens, for the knocker, for open_timeout', opts, (t) => rulesOpenInTime(t, IPTABLES));

test('iptables recent rules keep working with the daemon running the same doors', opts, (t) => rulesWithDaemon(t, IPTABLES));
