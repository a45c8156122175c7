// ufw, firewalld, Docker and iptables-legacy next to Portcullis: named when
// present, a warning (with the manager's own command) when they shadow a door.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { managerFindings } from './managers.js';
import { analysePorts, buildRuleset } from './ruleset.js';
import type { Deployment } from './deployment.js';
import * as ufw from './fixtures/ufw.js';
import * as firewalld from './fixtures/firewalld.js';
import * as docker from './fixtures/docker.js';
import * as own from './fixtures/own.js';

const D: Deployment = { backend: 'nftables', nftTable: { family: 'inet', name: 'portcullis', integrated: false }, daemonRunning: true };

function run(fx: { json: string; iptablesSave4: string; iptablesSave6: string }, port: number, facts = {}, legacy = '') {
  const rs = buildRuleset({ nftJson: fx.json, iptablesNft: { 4: fx.iptablesSave4, 6: fx.iptablesSave6 }, iptablesLegacy: { 4: legacy } });
  const ports = analysePorts(rs, D, [{ proto: 'tcp', port, doors: ['d'] }], { iface: 'eth0' });
  return managerFindings(rs, facts, ports);
}

describe('managerFindings', () => {
  it('ufw shadowing a door: warn, fix `ufw allow PORT/PROTO`', () => {
    const [f] = run(ufw, 22, { ufw: { installed: true, active: true, text: 'Status: active' } });
    assert.equal(f!.code, 'UFW_ACTIVE');
    assert.equal(f!.status, 'warn');
    assert.match(f!.message, /ip filter.*drops ports the doors open: tcp\/22/);
    assert.equal(f!.fix, 'ufw allow 22/tcp');
  });

  it('ufw that lets the door port through: ok', () => {
    const [f] = run(ufw, 80);
    assert.equal(f!.status, 'ok');
  });

  it('ufw installed but inactive, nothing in the ruleset: ok, said so', () => {
    const [f] = run(own, 22, { ufw: { installed: true, active: false, text: 'Status: inactive' } });
    assert.deepEqual([f!.code, f!.status], ['UFW_INACTIVE', 'ok']);
  });

  it('firewalld rejecting a door port: warn with firewall-cmd', () => {
    const [f] = run(firewalld, 3389);
    assert.deepEqual([f!.code, f!.status], ['FIREWALLD_ACTIVE', 'warn']);
    assert.equal(f!.fix, 'firewall-cmd --permanent --add-port=3389/tcp && firewall-cmd --reload');
  });

  it('Docker publishing a door port: warn; present otherwise: ok', () => {
    assert.deepEqual(run(docker, 8080).map((f) => [f.code, f.status]), [['DOCKER', 'warn']]);
    assert.deepEqual(run(docker, 22).map((f) => [f.code, f.status]), [['DOCKER', 'ok']]);
  });

  it('iptables-legacy rules: warn that nft does not show them', () => {
    const legacy = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j DROP\nCOMMIT\n';
    const f = run(own, 22, {}, legacy);
    assert.deepEqual(f.map((x) => [x.code, x.status]), [['IPTABLES_LEGACY', 'warn']]);
  });

  it('none of them: one ok line', () => {
    assert.deepEqual(run(own, 22).map((f) => f.code), ['NO_MANAGERS']);
  });
});
