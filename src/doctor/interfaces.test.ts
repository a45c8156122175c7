// Which interfaces doctor checks (as serve picks them) and what their state means.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { captureInterfaces, defaultRouteInterface, linkFinding } from './interfaces.js';

const ROUTE = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
ens3	0000FEA9	00000000	0001	0	0	1002	0000FFFF	0	0	0
ens4	00000000	0101A8C0	0003	0	0	0	00000000	0	0	0
`;

describe('captureInterfaces', () => {
  it('-i wins (comma lists too), then Interface, then the default route, then eth0', () => {
    assert.deepEqual(captureInterfaces(['eth1,eth2'], ['wan'], 'ens4'), ['eth1', 'eth2']);
    assert.deepEqual(captureInterfaces([], ['wan'], 'ens4'), ['wan']);
    assert.deepEqual(captureInterfaces([], [], defaultRouteInterface(ROUTE)), ['ens4']);
    assert.deepEqual(captureInterfaces([], [], undefined), ['eth0']);
  });
});

describe('linkFinding', () => {
  it('missing: fail, naming the interfaces there are', () => {
    const f = linkFinding('eth9', { exists: false }, ['eth0', 'lo']);
    assert.deepEqual([f.code, f.status], ['INTERFACE_MISSING', 'fail']);
    assert.match(f.fix!, /this host has: eth0, lo/);
  });

  it('administratively down: fail, ip link set up', () => {
    const f = linkFinding('eth0', { exists: true, operstate: 'down', flags: 0x1002 }, []);
    assert.deepEqual([f.code, f.status, f.fix], ['INTERFACE_DOWN', 'fail', 'ip link set eth0 up']);
  });

  it('up without carrier: warn; up (or unknown, as lo): ok; any: ok', () => {
    assert.equal(linkFinding('eth0', { exists: true, operstate: 'down', flags: 0x1003 }, []).status, 'warn');
    assert.equal(linkFinding('eth0', { exists: true, operstate: 'up', flags: 0x1003 }, []).status, 'ok');
    assert.equal(linkFinding('lo', { exists: true, operstate: 'unknown', flags: 0x9 }, []).status, 'ok');
    assert.equal(linkFinding('any', { exists: false }, []).code, 'INTERFACE_ANY');
  });
});
