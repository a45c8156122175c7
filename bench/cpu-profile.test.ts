import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeProfile } from './cpu-profile.js';

test('self time per function, heaviest first, idle left out', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: 'decodeFrame', url: 'file:///work/main/dist/src/packet/decode.js', lineNumber: 9 } },
      { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
    startTime: 0,
    endTime: 100,
    // sample i lasts timeDeltas[i + 1]
    samples: [2, 2, 3, 4, 2],
    timeDeltas: [0, 1000, 3000, 5000, 2000],
  };
  const s = summarizeProfile(JSON.stringify(profile), 'x.cpuprofile');
  assert.equal(s.totalMs, 6); // 1 + 3 (decode) + 2 (gc); idle's 5 ms are not CPU
  assert.deepEqual(s.top.map((e) => [e.name, e.where, e.selfMs]), [
    ['decodeFrame', 'dist/src/packet/decode.js:10', 4],
    ['(garbage collector)', '', 2],
  ]);
  assert.equal(s.top[0]?.share, 4 / 6);
});
