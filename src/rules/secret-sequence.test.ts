// `portcullis rules` cannot express a sequence_secret door: a clear refusal naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../cli/rules.js';

test('a sequence_secret door is refused by name; the other doors still generate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rules-secret-'));
  try {
    const path = join(dir, 'p.conf');
    writeFileSync(path, '[plain]\nsequence = 7000,8000\nopen = tcp/22\n[derived]\nsequence_secret = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nopen = tcp/22\n');
    let out = '';
    const err: string[] = [];
    const code = await run(['-c', path, '--target', 'nftables'], { out: (t) => { out += t; }, err: (l) => err.push(l) });
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.deepEqual(err.filter((l) => l.includes('[derived]')), [
      `${path}:4: [derived]: has Sequence_Secret: its ports are an HMAC of the secret and the time, new every window and each good for one knock, which fixed kernel rules cannot compute or remember; expected a Sequence (or the daemon, portcullis serve, for this door)`,
    ]);
    const plain = await run(['-c', path, '--target', 'nftables', '--door', 'plain'], { out: () => {}, err: () => {} });
    assert.equal(plain, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
