// What happens when a door opens: its knockd-style commands (CommandGrants)
// and its firewall grant (FirewallGrants), and `revokes =`. A door may use
// either or both; a config without `open`/`forward` never touches the
// firewall on its own (knockd configs keep working exactly as before).
import type { Door } from '../config/model.js';
import type { SpaGrant } from '../spa-server/gate.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { CommandGrants } from '../actions/grants.js';
import type { DoorActions } from '../daemon/daemon.js';
import type { FirewallGrants } from './firewall-grants.js';
import { grantsThroughFirewall } from './record.js';

/** Builds the firewall grant manager; called once, when the first door needs it. */
export type FirewallFactory = () => Promise<FirewallGrants>;

export class CombinedActions implements DoorActions {
  private fw: FirewallGrants | undefined;

  constructor(
    private readonly commands: CommandGrants,
    private readonly makeFirewall: FirewallFactory,
    private readonly log: Logger,
  ) {}

  get firewall(): FirewallGrants | undefined {
    return this.fw;
  }

  async restore(doors: readonly Door[]): Promise<void> {
    await this.commands.restore();
    if (doors.some(grantsThroughFirewall)) {
      this.fw = await this.makeFirewall();
      await this.fw.restore(doors);
    }
  }

  /** A reload: the firewall is set up when the first door with `open`/`forward` appears, and re-laid-out after. */
  async reconfigure(doors: readonly Door[]): Promise<void> {
    if (this.fw) await this.fw.reconfigure(doors);
    else if (doors.some(grantsThroughFirewall)) {
      this.fw = await this.makeFirewall();
      await this.fw.restore(doors);
    }
  }

  open(door: Door, ip: string, family: 4 | 6): void {
    for (const name of door.revokes) {
      const closed = this.fw?.revokeDoor(name, ip) ?? false;
      if (!closed) this.log.info(`${ip}: ${door.name}: nothing of ${name} open for this address to revoke`, { ip, door: door.name });
    }
    this.commands.open(door, ip, family);
    if (grantsThroughFirewall(door)) {
      if (this.fw) this.fw.open(door, ip, family);
      else this.log.error(`${ip}: ${door.name}: no firewall backend, cannot open ${door.open.map((p) => `${p.proto}/${p.port}`).join(', ')}`, ev('grant.refused', { ip, door: door.name, reason: 'no-backend' }));
    }
  }

  /**
   * An SPA door let `ip` in (src/spa-server/): a door with a start command
   * runs it (%IP%, and %PORT%/%PROTO% of the first requested port, %TIMEOUT%
   * in seconds; the stop command runs `timeoutMs` after the start returns),
   * any other door gets exactly its services and forwards through the firewall backend.
   */
  grantSpa(door: Door, ip: string, family: 4 | 6, grant: SpaGrant): void {
    const { services, forwards, timeoutMs } = grant;
    if (door.startCommand !== undefined || door.startCommand6 !== undefined) {
      const first = services[0];
      if (!first) return;
      this.commands.open({ ...door, cmdTimeoutMs: timeoutMs }, ip, family, { port: first.port, proto: first.proto, timeoutSeconds: Math.round(timeoutMs / 1000) });
    } else if (this.fw) this.fw.grant(door, ip, family, services, timeoutMs, forwards);
    else this.log.error(`${ip}: ${door.name}: no firewall backend, cannot open ${[...services, ...forwards].map((p) => `${p.proto}/${p.port}`).join(', ')}`, ev('grant.refused', { ip, door: door.name, reason: 'no-backend' }));
  }

  async closeAll(): Promise<void> {
    await Promise.all([this.commands.closeAll(), this.fw?.closeAll()]);
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.commands.shutdown(), this.fw?.shutdown()]);
  }
}
