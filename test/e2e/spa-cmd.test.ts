// SPA command messages (fwknop -C / --server-cmd) end to end, both ways:
//
//   1. the real fwknop 2.6.10 client in a client namespace → `portcullis serve`
//      with a command-only SPA door (enable_cmd_exec = yes, cmd_exec_user = a
//      throw-away system user, cmd_allow = one script): the script runs as
//      that user, without a shell, in /, with only PATH in its environment
//      (it writes what it sees to a file the test reads); a command outside
//      cmd_allow, one with shell syntax and a replay of the accepted packet
//      are refused with their logged reasons and run nothing;
//   2. `portcullis spa -C` → the real fwknopd 2.6.10 with ENABLE_CMD_EXEC and
//      CMD_EXEC_USER (its iptables chains live and die in the server namespace):
//      fwknopd runs the command as that user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COPY_WINDOW_MS } from '../../src/spa-server/recent-accepts.js';
import { createLab, escapeRegExp, labConfig, labSkipReason, portcullis, sleep, startPortcullis, waitFor, type LabProcess } from './lab.js';

// fwknop --key-gen output (fwknop-run.md, set "A"); test-only keys.
const KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

/** Sends one UDP datagram (argv[1], latin1) to argv[2]:argv[3]. */
const SEND_UDP = `
const s = require('node:dgram').createSocket('udp4');
s.send(Buffer.from(process.argv[1], 'latin1'), Number(process.argv[3]), process.argv[2], (err) => { s.close(); if (err) { console.error(err.message); process.exit(1); } });
`;

interface Account { readonly name: string; readonly uid: number; readonly gid: number }

/** A throw-away system user (no home, no login shell); removed by the returned function. */
function makeUser(): { account: Account; remove: () => void } {
  const name = `cxspa${process.pid % 100000}`;
  spawnSync('userdel', [name]); // a leftover of a killed run
  const add = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name], { encoding: 'utf8' });
  assert.equal(add.status, 0, `useradd: ${add.stderr}`);
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { account: { name, uid: id('-u'), gid: id('-g') }, remove: () => { spawnSync('userdel', [name]); } };
}

/**
 * A folder anyone may traverse (the lab's own is private) with the script the
 * door runs, and an output folder only the user may write to. Short paths: an
 * SPA packet must stay under 400 characters, which leaves a command about 100.
 */
function workspace(account: Account): { dir: string; out: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cx-'));
  chmodSync(dir, 0o755);
  const out = join(dir, 'o');
  mkdirSync(out, { mode: 0o700 });
  chownSync(out, account.uid, account.gid);
  const script = join(dir, 'rec');
  // Run by execve (its #! line), with the argv the door split; it reports what it runs as.
  writeFileSync(script, '#!/bin/sh\n{ echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"; echo "cwd=$(pwd)"; env | sort; } > "$1"\n');
  chmodSync(script, 0o755);
  return { dir, out, script };
}

test('the real fwknop client sends a command message; Portcullis runs it as cmd_exec_user, no shell; outside cmd_allow, shell syntax and a replay are refused',
  { skip: labSkipReason(['fwknop', 'useradd']), timeout: 90_000 }, async (t) => {
    const { account, remove } = makeUser();
    const ws = workspace(account);
    const lab = await createLab('cx1');
    let daemon: LabProcess | undefined;
    t.after(async () => {
      await daemon?.stop('SIGTERM').catch(() => undefined);
      await lab.destroy();
      rmSync(ws.dir, { recursive: true, force: true });
      remove();
    });
    const client = lab.host('client').ip4;
    const server = lab.server.ip4;
    const ran = join(ws.out, 'ran');
    const allowed = `${ws.script} ${ran}`;
    // 122 characters: the real client's packet is 400+ characters, which only a command door decodes.
    const longRan = `${ws.out}/`.padEnd(122 - ws.script.length - 1, 'l');
    const long = `${ws.script} ${longRan}`;
    const config = (user: string) => labConfig([], [
      '[cmd-spa]',
      `    key_base64       = ${KEY}`,
      `    hmac_key_base64  = ${HMAC}`,
      '    enable_cmd_exec  = yes',
      `    cmd_exec_user    = ${user}`,
      `    cmd_allow        = ${allowed}`,
      `    cmd_allow        = ${long}`,
      '    cmd_exec_timeout = 10',
      '',
    ].join('\n'));
    const configPath = join(lab.tmp, 'spa-cmd.conf');

    // An unknown user stops the start, naming the line.
    writeFileSync(configPath, config('cx-no-such-user'));
    const check = await lab.exec('server', portcullis('serve', '-c', configPath, '-i', lab.server.iface, '--state-dir', join(lab.tmp, 'state-bad')), { timeoutMs: 20_000 });
    assert.equal(check.code, 1, `serve with an unknown cmd_exec_user must not start\n${check.stdout}${check.stderr}`);
    assert.match(check.stdout + check.stderr, new RegExp(`${escapeRegExp(configPath)}:5: cmd_exec_user: \\[cmd-spa\\]: no user "cx-no-such-user" on this host`));

    daemon = await startPortcullis(lab, { config: config(account.name), configPath });
    await daemon.waitForLine(new RegExp(`cmd-spa: SPA command messages run as ${account.name} \\(uid ${account.uid}, gid ${account.gid}\\), no shell`), 5000);

    const home = join(lab.tmp, 'home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    let runs = 0;
    /** The real client; returns the packet it sent (saved with -B). */
    const fwknop = async (command: string): Promise<string> => {
      const saved = join(home, `packet-${++runs}.txt`);
      await lab.mustExec('client', [
        'fwknop', '--no-save-args', '--no-rc-file', '-D', server, '-a', client, '--server-cmd', command,
        '--key-base64-rijndael', KEY, '--key-base64-hmac', HMAC, '--use-hmac', '-B', saved,
      ], { env: { ...process.env, HOME: home }, timeoutMs: 20_000 });
      return readFileSync(saved, 'latin1').trim();
    };
    const refused = async (since: number, reason: string, detail: RegExp) => {
      const line = await daemon!.waitForLine(new RegExp(`${escapeRegExp(client)}: cmd-spa: SPA packet refused \\(${escapeRegExp(reason)}\\)`), 5000, since);
      assert.match(line.text, detail);
    };

    // Refused first: nothing may have run when the allowed command is sent.
    let mark = daemon.mark();
    await fwknop(`/usr/bin/touch ${join(ws.out, 'n')}`);
    await refused(mark, 'command-not-allowed', /command \/usr\/bin\/touch \S+ is not one of cmd_allow/);
    mark = daemon.mark();
    await fwknop(`${allowed}; /usr/bin/touch ${join(ws.out, 'c')}`);
    await refused(mark, 'command-syntax', /unquoted ; at position \d+ is shell syntax, and commands run without a shell/);

    mark = daemon.mark();
    const packet = await fwknop(allowed);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(client)}: cmd-spa: running SPA command as ${account.name}: ${escapeRegExp(allowed)}$`), 5000, mark);
    await daemon.waitForLine(new RegExp(`cmd-spa: SPA command ${escapeRegExp(allowed)} exited with status 0 in \\d+ ms`), 10_000, mark);
    const report = readFileSync(ran, 'utf8');
    assert.match(report, new RegExp(`^uid=${account.uid} gid=${account.gid} groups=${account.gid}$`, 'm'), `runs as the user, no supplementary groups:\n${report}`);
    assert.equal(statSync(ran).uid, account.uid);
    assert.match(report, /^cwd=\/$/m);
    const env = report.split('\n').filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l) && !/^(uid|cwd)=/.test(l));
    assert.deepEqual(env.filter((l) => !/^(PWD|SHLVL|_)=/.test(l)), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      `only PATH comes from the daemon (sh adds PWD, SHLVL, _ itself):\n${report}`);
    assert.equal(existsSync(join(ws.out, 'n')), false, 'the refused command did not run');
    assert.equal(existsSync(join(ws.out, 'c')), false, 'the chained command did not run');

    // A long command: its packet is 400+ characters (fwknopd's GPG threshold), measured without the HMAC.
    mark = daemon.mark();
    const longPacket = await fwknop(long);
    assert.ok(longPacket.length >= 400, `the long command's packet is ${longPacket.length} characters`);
    await daemon.waitForLine(new RegExp(`cmd-spa: SPA command ${escapeRegExp(long)} exited with status 0`), 10_000, mark);
    assert.match(readFileSync(longRan, 'utf8'), new RegExp(`^uid=${account.uid} `, 'm'));

    // The same datagram again: refused as a replay, the command does not run twice. (Sooner than
    // COPY_WINDOW_MS after its acceptance it would be a `repeat`, a bridge's copy: refused all the same.)
    rmSync(ran);
    await sleep(COPY_WINDOW_MS);
    mark = daemon.mark();
    await lab.mustExec('client', [process.execPath, '-e', SEND_UDP, packet, server, '62201'], { timeoutMs: 10_000 });
    await refused(mark, 'replay', /this exact packet was seen before/);
    await sleep(500);
    assert.equal(existsSync(ran), false, 'a replay runs nothing');

    // A reload naming an unknown user is refused; the old configuration keeps running commands.
    writeFileSync(configPath, config('cx-no-such-user'));
    mark = daemon.mark();
    daemon.kill('SIGHUP');
    await daemon.waitForLine(/names users or groups this host does not have; still running with the previous configuration/, 10_000, mark);
    mark = daemon.mark();
    await fwknop(allowed);
    await daemon.waitForLine(new RegExp(`cmd-spa: SPA command ${escapeRegExp(allowed)} exited with status 0`), 10_000, mark);
    assert.match(readFileSync(ran, 'utf8'), new RegExp(`^uid=${account.uid} `, 'm'));
  });

/** fwknopd.conf and access.conf (mode 0600, as fwknopd wants) for a command-running stanza. */
function fwknopdFiles(dir: string, iface: string, user: string): { conf: string; access: string } {
  const run = join(dir, 'fwknopd-run');
  mkdirSync(run, { recursive: true });
  const write = (name: string, lines: string[]) => {
    const p = join(dir, name);
    writeFileSync(p, `${lines.join('\n')}\n`);
    chmodSync(p, 0o600);
    return p;
  };
  return {
    conf: write('fwknopd.conf', [
      `PCAP_INTF                 ${iface};`,
      'PCAP_FILTER               udp port 62201;',
      'ENABLE_SPA_PACKET_AGING   Y;',
      `FWKNOP_RUN_DIR            ${run};`,
      `FWKNOP_PID_FILE           ${run}/fwknopd.pid;`,
      `DIGEST_FILE               ${run}/digest.cache;`,
    ]),
    access: write('access.conf', [
      'SOURCE              ANY',
      `KEY_BASE64          ${KEY}`,
      `HMAC_KEY_BASE64     ${HMAC}`,
      'OPEN_PORTS          tcp/22',
      'ENABLE_CMD_EXEC     Y',
      `CMD_EXEC_USER       ${user}`,
    ]),
  };
}

test('portcullis spa -C sends a command message the real fwknopd (ENABLE_CMD_EXEC, CMD_EXEC_USER) runs as that user',
  { skip: labSkipReason(['fwknopd', 'iptables', 'useradd']), timeout: 60_000 }, async (t) => {
    const { account, remove } = makeUser();
    const ws = workspace(account);
    const lab = await createLab('cx2');
    let fwknopd: LabProcess | undefined;
    t.after(async () => {
      await fwknopd?.stop('SIGTERM', 5_000).catch(() => undefined); // first, so it removes its chains itself
      await lab.destroy();
      rmSync(ws.dir, { recursive: true, force: true });
      remove();
    });
    const { conf, access } = fwknopdFiles(lab.tmp, lab.server.iface, account.name);
    fwknopd = lab.spawn('server', ['fwknopd', '-f', '-v', '-v', '-c', conf, '-a', access], 'fwknopd');
    await fwknopd.waitForLine(/Starting fwknopd main event loop/, 15_000);

    const ran = join(ws.out, 'fwknopd');
    const client = lab.host('client').ip4;
    await lab.mustExec('client', portcullis('spa', '-C', `${ws.script} ${ran}`, '-a', client, '-D', lab.server.ip4,
      '--key-base64-rijndael', KEY, '--key-base64-hmac', HMAC, '--no-rc-file'), { timeoutMs: 20_000 });
    await waitFor('fwknopd to run the command', async () => existsSync(ran) && readFileSync(ran, 'utf8').includes('cwd='), 10_000)
      .catch((e: Error) => assert.fail(`${e.message}\n${fwknopd!.output()}`));
    assert.equal(statSync(ran).uid, account.uid, 'fwknopd ran it as CMD_EXEC_USER');
    assert.match(readFileSync(ran, 'utf8'), new RegExp(`^uid=${account.uid} gid=${account.gid}`, 'm'));

    // A 122-character command: a packet of 400+ characters, which fwknopd takes for a command stanza.
    const longRan = `${ws.out}/`.padEnd(122 - ws.script.length - 1, 'l');
    const sent = await lab.mustExec('client', portcullis('spa', '-C', `${ws.script} ${longRan}`, '-a', client, '-D', lab.server.ip4,
      '--key-base64-rijndael', KEY, '--key-base64-hmac', HMAC, '--no-rc-file', '-v'), { timeoutMs: 20_000 });
    const bytes = Number(/bytes sent: (\d+)/.exec(sent.stdout)?.[1]);
    assert.ok(bytes >= 400, `the packet is ${bytes} characters\n${sent.stdout}`);
    await waitFor('fwknopd to run the long command', async () => existsSync(longRan) && readFileSync(longRan, 'utf8').includes('cwd='), 10_000)
      .catch((e: Error) => assert.fail(`${e.message}\n${fwknopd!.output()}`));
  });
