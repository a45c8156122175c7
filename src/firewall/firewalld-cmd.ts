// Talking to firewall-cmd, shared by the backend (firewalld.ts) and its zone
// checks (firewalld-zone.ts): the tool's name, its exit codes, and the
// failures they mean.
import { FirewallError } from './backend.js';
import { describeFailure, type ToolResult } from './tool.js';

export const TOOL = 'firewall-cmd';
/** firewall-cmd(1) EXIT CODES. */
export const NOT_ENABLED = 12;
export const NOT_RUNNING = 252;

export function lastLine(text: string): string {
  // Without --zone, firewall-cmd may print a note about the default zone first.
  return text.trim().split('\n').pop()!.trim();
}

export function failure(what: string, r: ToolResult): FirewallError {
  if (r.code === NOT_RUNNING) return new FirewallError('FIREWALL_UNAVAILABLE', `${what}: firewalld is not running`, describeFailure(TOOL, r));
  return new FirewallError('FIREWALL_TOOL_FAILED', what, describeFailure(TOOL, r));
}
