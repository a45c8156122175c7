import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigErrors } from '../config/errors.js';
import { parseConfig } from '../config/parse.js';
import { controlSocketFromConfig, resolveControlSocket } from './socket-path.js';

describe('resolveControlSocket', () => {
  it('takes the flag, then the config, then $RUNTIME_DIRECTORY, then /run/portcullis', () => {
    const env = { RUNTIME_DIRECTORY: '/run/pc:/run/other' };
    assert.equal(resolveControlSocket('/tmp/a.sock', '/etc/b.sock', env), '/tmp/a.sock');
    assert.equal(resolveControlSocket(undefined, '/etc/b.sock', env), '/etc/b.sock');
    assert.equal(resolveControlSocket(undefined, undefined, env), '/run/pc/control.sock');
    assert.equal(resolveControlSocket(undefined, undefined, { RUNTIME_DIRECTORY: '' }), '/run/portcullis/control.sock');
    assert.equal(resolveControlSocket(undefined, undefined, {}), '/run/portcullis/control.sock');
  });
});

describe('controlSocketFromConfig', () => {
  it('finds ControlSocket in [options], case-insensitively, the last one winning', () => {
    const text = '[options]\n  controlsocket = /a.sock\n  ControlSocket = /b.sock\n\n[door]\n  sequence = 1,2\n';
    assert.equal(controlSocketFromConfig(text), '/b.sock');
  });

  it('reads it from a file with errors elsewhere', () => {
    const text = '[options]\n  ControlSocket = /run/x.sock\n  bogus = 1\n[door]\n  sequence = 7000,abc\n';
    assert.equal(controlSocketFromConfig(text), '/run/x.sock');
  });

  it('ignores it outside [options] and when empty', () => {
    assert.equal(controlSocketFromConfig('[door]\n  ControlSocket = /x.sock\n'), undefined);
    assert.equal(controlSocketFromConfig('[options]\n  ControlSocket =\n'), undefined);
    assert.equal(controlSocketFromConfig('[ options ]\n  ControlSocket = /x.sock\n'), undefined, 'the parser makes that a door');
    assert.equal(controlSocketFromConfig(''), undefined);
  });
});

describe('[options] ControlSocket', () => {
  const parse = (text: string) => parseConfig(text, '/etc/knockd.conf', { readFile: () => undefined });

  it('is parsed as a path, and absent by default', () => {
    assert.equal(parse('[options]\n  ControlSocket = /run/pc/c.sock\n[d]\n  sequence = 1\n').options.controlSocket, '/run/pc/c.sock');
    assert.equal('controlSocket' in parse('[d]\n  sequence = 1\n').options, false);
  });

  it('gives a file:line error for an empty value', () => {
    assert.throws(() => parse('[options]\n  ControlSocket =\n[d]\n  sequence = 1\n'), (err: ConfigErrors) =>
      err.errors.length === 1 && err.errors[0]!.message.startsWith('/etc/knockd.conf:2: ControlSocket: no path given'));
  });
});
