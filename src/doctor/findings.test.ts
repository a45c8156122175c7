// How findings print, and the exit status they make.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exitStatus, formatFindings, type Finding } from './findings.js';

const ok: Finding = { check: 'interface', code: 'INTERFACE_UP', status: 'ok', subject: 'eth0', message: 'exists and is up', fix: 'never shown for ok' };
const warn: Finding = { check: 'files', code: 'FILE_READABLE', status: 'warn', subject: '/etc/knockd.conf', message: 'mode 0644', fix: 'chmod 600 /etc/knockd.conf' };
const fail: Finding = { check: 'grant', code: 'GRANT_SHADOWED', status: 'fail', subject: 'tcp/22 (openSSH)', message: 'a knock would open nothing', detail: ['why'], fix: 'ufw allow 22/tcp' };

describe('formatFindings', () => {
  it('one line per finding, then its detail and fix, then a summary', () => {
    assert.equal(formatFindings([ok, warn, fail]), [
      'ok    interface eth0: exists and is up',
      'warn  files /etc/knockd.conf: mode 0644',
      '      fix: chmod 600 /etc/knockd.conf',
      'FAIL  grant tcp/22 (openSSH): a knock would open nothing',
      '      why',
      '      fix: ufw allow 22/tcp',
      '',
      'doctor: 1 failure, 1 warning',
      '',
    ].join('\n'));
    assert.match(formatFindings([ok]), /doctor: nothing wrong found\n$/);
  });

  it('exits 1 only when something fails', () => {
    assert.equal(exitStatus([ok, warn]), 0);
    assert.equal(exitStatus([ok, warn, fail]), 1);
  });
});
