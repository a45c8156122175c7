import { test } from 'node:test';
import assert from 'node:assert/strict';
import { door } from '../door/testing.js';
import type { SpaDoor } from '../config/model.js';
import { layoutFor } from './record.js';

test('layout: open ports and captured SPA ports are protected (the host answers no ICMP there); socket SPA ports are not', () => {
  const spa = (port: number, listen: 'pcap' | 'socket') => ({ port, listen } as unknown as SpaDoor);
  const doors = [
    door('ssh', '7000', { open: [{ proto: 'tcp', port: 22 }] }),
    door('spa', '', { sequence: [], open: [{ proto: 'tcp', port: 22 }], spa: spa(62201, 'pcap') }),
    door('spa2', '', { sequence: [], open: [{ proto: 'tcp', port: 2222 }], spa: spa(62202, 'socket') }),
  ];
  assert.deepEqual(layoutFor(doors).protected, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 62201 }, { proto: 'tcp', port: 2222 }]);
});
