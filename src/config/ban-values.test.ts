import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMessages, parseTestConfig, TEST_FILE } from './testing.js';

test('BanExempt lines add up; SPA_Rate_Limit takes N/second, a burst, or off', () => {
  const c = parseTestConfig([
    '[options]', 'BanExempt = 10.0.0.0/8, 2001:db8::/32', 'banexempt = 192.0.2.7', 'SPA_Rate_Limit = 50/second burst 100',
    '[d]', 'sequence = 7000',
  ].join('\n'));
  assert.deepEqual(c.options.banExempt?.map((x) => x.text), ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7/32']);
  assert.deepEqual(c.options.spaRateLimit, { perSecond: 50, burst: 100 });
  assert.deepEqual(parseTestConfig('[options]\nspa_rate_limit = 20/second\n[d]\nsequence = 7000\n').options.spaRateLimit, { perSecond: 20, burst: 20 });
  assert.equal(parseTestConfig('[options]\nspa_rate_limit = off\n[d]\nsequence = 7000\n').options.spaRateLimit, 'off');
});

test('defaults: nobody exempt, the rate limit unset (the nftables backend applies 20/second)', () => {
  const c = parseTestConfig('[d]\nsequence = 7000\n');
  assert.equal('banExempt' in c.options, false);
  assert.equal('spaRateLimit' in c.options, false);
});

test('bad ban values name the file, line and key, and say what is expected', () => {
  const errs = configMessages([
    '[options]', 'BanExempt = 10.0.0.1/8', 'BanExempt = nowhere', 'BanExempt =',
    'SPA_Rate_Limit = 20', 'SPA_Rate_Limit = 0/second', 'SPA_Rate_Limit = 20/minute', 'SPA_Rate_Limit = 20/second burst 0',
    '[d]', 'sequence = 7000',
  ].join('\n'));
  assert.equal(errs.length, 7, errs.join('\n'));
  assert.match(errs[0]!, new RegExp(`^${TEST_FILE}:2: banexempt: "10.0.0.1/8" has host bits set after /8; expected the network address, 10.0.0.0/8`, 'i'));
  assert.match(errs[1]!, new RegExp(`^${TEST_FILE}:3: banexempt: "nowhere" is not an address or network; expected`, 'i'));
  assert.match(errs[2]!, new RegExp(`^${TEST_FILE}:4: banexempt: `, 'i'));
  for (const [i, line] of [[3, 5], [4, 6], [5, 7], [6, 8]] as const) {
    assert.match(errs[i]!, new RegExp(`^${TEST_FILE}:${line}: spa_rate_limit: ".*" is not a rate limit; expected PACKETS/second with 1 to 100000 packets, optionally followed by burst PACKETS \\(e\\.g\\. 20/second or 20/second burst 40\\), or off$`, 'i'));
  }
});
