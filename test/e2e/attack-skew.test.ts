// Attack: SPA packets stamped off the server's clock. An attacker who holds
// an old captured packet, or a client whose clock is wrong, sends a
// timestamp away from now. The real fwknop client shifts its stamp with
// --time-offset-plus / --time-offset-minus. With the default
// max_spa_packet_age (120 s), a packet 100 s off either way is accepted and
// opens tcp/22 (clocks drift; the window is there for that); 150 s off either
// way is refused as stale, with the direction in the log line, and leaves the
// door shut. The packets are fresh otherwise (new random value, right keys),
// so the age check alone decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason } from './lab.js';
import { attackScene, SPA_DOOR } from './lab/attack.js';

const skip = labSkipReason(['nft', 'fwknop']);
const INSIDE = 100;
const OUTSIDE = 150;

test(`SPA clock skew: ${INSIDE} s ahead or behind (inside max_spa_packet_age 120) opens; ${OUTSIDE} s ahead or behind is refused as stale`,
  { skip, timeout: 90_000 }, async (t) => {
    const s = await attackScene(t, { id: 'at5', clients: ['client'] });
    const { daemon } = s;

    for (const [flag, direction] of [['--time-offset-plus', 'in the future'], ['--time-offset-minus', 'in the past']] as const) {
      let mark = daemon.mark();
      await s.fwknop('client', [flag, `${OUTSIDE}sec`]);
      const line = await s.spaRefused('client', 'stale', mark);
      // The skew is measured on the daemon's clock: within a few seconds of what the client added.
      const m = /timestamp (\d+) s (in the future|in the past)/.exec(line.text);
      assert.ok(m, line.text);
      assert.equal(m[2], direction, line.text);
      assert.ok(Math.abs(Number(m[1]) - OUTSIDE) <= 5, line.text);
      t.diagnostic(`${flag} ${OUTSIDE}sec: refused, timestamp ${m[1]} s ${m[2]}`);
      await s.expectNoGrant('client');

      mark = daemon.mark();
      await s.fwknop('client', [flag, `${INSIDE}sec`]);
      await s.spaAccepted('client', mark);
      await s.expectGrant('client', SPA_DOOR);
      await s.revoke('client');
    }
    const refused = (await s.status()).counters.spa?.refused ?? {};
    assert.equal(refused.stale, 2, JSON.stringify(refused));
    assert.equal((await s.status()).counters.spa?.opens, 2);
  });
