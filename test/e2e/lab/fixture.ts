// The scene most end-to-end tests share: a lab whose server runs the lab
// firewall, a service on the protected port and a knock daemon with one
// door; clients knock and then try the service.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLab, type Lab } from '../lab.js';
import { labRuleset } from './nft.js';
import { labConfig, labDoor, doorEvent, type DoorOptions } from './doors.js';
import { startKnockd, startPortcullis } from './programs.js';
import { waitFor } from './wait.js';
import type { LabProcess, Line } from './process.js';

export const SERVICE_PORT = 22;
export type Family = 4 | 6;

export interface DoorLabOptions {
  /** A few letters naming the test in namespace names. */
  readonly id: string;
  readonly daemon: 'portcullis' | 'knockd';
  readonly door: DoorOptions;
  /** Lines for the [options] section. */
  readonly options?: readonly string[];
  readonly clients?: readonly string[];
}

export interface DoorLab {
  readonly lab: Lab;
  readonly daemon: LabProcess;
  /** The config text the daemon was started with. */
  readonly config: string;
  /** portcullis's --state-dir, for restarting it with its state. */
  readonly stateDir: string;
}

/** Builds the scene; the lab is destroyed when the test ends. */
export async function doorLab(t: TestContext, opts: DoorLabOptions): Promise<DoorLab> {
  const lab = await createLab(opts.id, { clients: opts.clients ?? ['client'] });
  t.after(() => lab.destroy());
  await lab.nftSetup('server', labRuleset({ port: SERVICE_PORT }));
  await lab.startTcpService('server', SERVICE_PORT);
  const config = labConfig(opts.options ?? [], labDoor(opts.door));
  const stateDir = join(lab.tmp, 'state');
  const daemon = opts.daemon === 'knockd' ? await startKnockd(lab, config) : await startPortcullis(lab, { config, stateDir });
  return { lab, daemon, config, stateDir };
}

export function serverAddress(lab: Lab, family: Family): string {
  return family === 4 ? lab.server.ip4 : lab.server.ip6;
}

export function clientAddress(lab: Lab, role: string, family: Family): string {
  const h = lab.host(role);
  return family === 4 ? h.ip4 : h.ip6;
}

export function setFor(family: Family): 'allowed4' | 'allowed6' {
  return family === 4 ? 'allowed4' : 'allowed6';
}

/**
 * The daemon logged OPEN SESAME for `role`, the firewall let it in, and the
 * service answers it. Returns the OPEN SESAME line (its `at` times the grant).
 */
export async function expectOpened(scene: DoorLab, role: string, family: Family, since = 0): Promise<Line> {
  const { lab, daemon } = scene;
  const ip = clientAddress(lab, role, family);
  const line = await daemon.waitForLine(doorEvent(ip, 'OPEN SESAME'), 5000, since);
  await waitFor(`${ip} in ${setFor(family)}\n${daemon.output()}`, () => lab.nftHasElement('server', setFor(family), ip), 5000);
  const probe = await lab.tcpProbe(role, serverAddress(lab, family), SERVICE_PORT);
  assert.deepEqual(probe, { connected: true, reply: 'hello\n' }, `${role} could not use the service after opening\n${daemon.output()}`);
  return line;
}

/** `role` is not in the firewall set and its connection is refused. */
export async function expectShut(scene: DoorLab, role: string, family: Family): Promise<void> {
  const { lab, daemon } = scene;
  const ip = clientAddress(lab, role, family);
  assert.equal(await lab.nftHasElement('server', setFor(family), ip), false, `${ip} was let in\n${daemon.output()}`);
  const probe = await lab.tcpProbe(role, serverAddress(lab, family), SERVICE_PORT);
  assert.equal(probe.connected, false, `${role} reached the service over IPv${family}\n${daemon.output()}`);
  assert.equal(probe.error, 'ECONNREFUSED', `expected the firewall's reset, got ${probe.error}`);
}
