import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCaptureSource } from './memory.js';
import type { Packet } from '../packet/packet.js';

const packet: Packet = { family: 4, src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', srcPort: 1, dstPort: 7000, tcpFlags: 2, payload: new Uint8Array() };

test('records handles and filters, delivers to open handles only', () => {
  const source = new MemoryCaptureSource();
  const got: string[] = [];
  const errors: Error[] = [];
  const a = source.open('eth0', 'tcp', (p) => got.push(`a:${p.dstPort}`), (e) => errors.push(e));
  const b = source.open('eth1', 'udp', (p) => got.push(`b:${p.dstPort}`), (e) => errors.push(e));
  assert.equal(source.inject('eth0', packet), 1);
  a.setFilter('tcp dst port 7000');
  assert.deepEqual(a.filters, ['tcp', 'tcp dst port 7000']);
  assert.equal(a.filter, 'tcp dst port 7000');
  a.close();
  assert.equal(source.inject('eth0', packet), 0);
  assert.throws(() => a.setFilter('udp'), { code: 'CAPTURE_CLOSED' });
  source.fail('eth1', new Error('gone'));
  assert.deepEqual(got, ['a:7000']);
  assert.deepEqual(errors.map((e) => e.message), ['gone']);
  assert.deepEqual(source.handles.map((h) => [h.iface, h.closed]), [['eth0', true], ['eth1', false]]);
  assert.equal(b.link, 'ethernet');
});

test('refuse makes opens fail until lifted', () => {
  const source = new MemoryCaptureSource('sll');
  source.refuse('wg0');
  assert.throws(() => source.open('wg0', '', () => {}, () => {}), { code: 'CAPTURE_OPEN_FAILED' });
  source.accept('wg0');
  assert.equal(source.open('wg0', '', () => {}, () => {}).link, 'sll');
});
