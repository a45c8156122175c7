import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupIn, parseServices, servicesPath, systemServices } from './services.js';

const SAMPLE = `# comment line
ssh		22/tcp				# SSH Remote Login Protocol
http		80/tcp		www		# WorldWideWeb HTTP
domain		53/tcp
domain		53/udp
ntp		123/udp
weird		99999/tcp
broken		abc/tcp
http		8080/tcp			# a later duplicate: ignored
`;

test('parseServices: names, aliases, per-protocol ports, first entry wins', () => {
  const lookup = lookupIn(parseServices(SAMPLE));
  assert.equal(lookup('ssh', 'tcp'), 22);
  assert.equal(lookup('www', 'tcp'), 80);
  assert.equal(lookup('http', 'tcp'), 80);
  assert.equal(lookup('domain', 'udp'), 53);
  assert.equal(lookup('SSH', 'tcp'), 22);
  assert.equal(lookup('weird', 'tcp'), undefined);
  assert.equal(lookup('broken', 'tcp'), undefined);
  assert.equal(lookup('nosuch', 'tcp'), undefined);
});

test('a name listed for the other protocol only still resolves, as getaddrinfo did for knock', () => {
  const lookup = lookupIn(parseServices(SAMPLE));
  assert.equal(lookup('http', 'udp'), 80);
  assert.equal(lookup('ntp', 'tcp'), 123);
});

test('systemServices reads the file once, on first use, and survives a missing file', () => {
  let reads = 0;
  const lookup = systemServices(() => { reads++; return SAMPLE; });
  assert.equal(reads, 0);
  assert.equal(lookup('ssh', 'tcp'), 22);
  assert.equal(lookup('http', 'tcp'), 80);
  assert.equal(reads, 1);
  const missing = systemServices(() => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); });
  assert.equal(missing('ssh', 'tcp'), undefined);
});

test('servicesPath per platform', () => {
  assert.equal(servicesPath('linux', {}), '/etc/services');
  assert.equal(servicesPath('darwin', {}), '/etc/services');
  assert.match(servicesPath('win32', { SystemRoot: 'D:\\Win' }), /D:\\Win.System32.drivers.etc.services$/);
});
