// Choosing the mask (ISO/IEC 18004:2015 §7.8.3): the candidate with the
// lowest penalty wins, the lower mask number on a tie. The rules are scored
// the way libqrencode 4 (mask.c) scores them, so `portcullis keygen --qr`
// draws the same symbol as `qrencode -8`:
//   N1 runs of ≥5 same-colour modules: 3 + (length − 5);
//   N2 each 2×2 block of one colour: 3;
//   N3 1:1:3:1:1 dark:light:dark:light:dark with a light run of at least 4×
//      on one side (or the symbol edge): 40;
//   N4 dark share: 10 × floor(|round(100·dark/total) − 50| / 5).

const N1 = 3;
const N2 = 3;
const N3 = 40;
const N4 = 10;

/** Index into `candidates` (each a full symbol, format information included) of the best one. */
export function chooseMask(size: number, candidates: readonly Uint8Array[]): number {
  let best = 0;
  let bestScore = Infinity;
  candidates.forEach((modules, i) => {
    const score = penalty(size, modules);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

export function penalty(size: number, modules: Uint8Array): number {
  const total = size * size;
  let dark = 0;
  for (const m of modules) dark += m;
  const percent = Math.floor((200 * dark + total) / total / 2); // round(100·dark/total)
  let score = Math.floor(Math.abs(percent - 50) / 5) * N4;
  const line = new Uint8Array(size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) line[c] = modules[r * size + c]!;
    score += linePenalty(runs(line));
  }
  for (let c = 0; c < size; c++) {
    for (let r = 0; r < size; r++) line[r] = modules[r * size + c]!;
    score += linePenalty(runs(line));
  }
  for (let r = 1; r < size; r++) {
    for (let c = 1; c < size; c++) {
      const v = modules[r * size + c]!;
      if (v === modules[r * size + c - 1] && v === modules[(r - 1) * size + c] && v === modules[(r - 1) * size + c - 1]) score += N2;
    }
  }
  return score;
}

/**
 * Run lengths of one row or column, light runs at even indices and dark runs
 * at odd ones: a line that starts dark gets a placeholder light run of -1.
 */
function runs(line: Uint8Array): number[] {
  const out: number[] = line[0] ? [-1, 1] : [1];
  for (let i = 1; i < line.length; i++) {
    if (line[i] !== line[i - 1]) out.push(1);
    else out[out.length - 1]!++;
  }
  return out;
}

function linePenalty(run: readonly number[]): number {
  let score = 0;
  const n = run.length;
  for (let i = 0; i < n; i++) {
    const len = run[i]!;
    if (len >= 5) score += N1 + (len - 5);
    // A dark centre run of 3× with dark, light, ·, light, dark runs of 1× around it.
    if (i % 2 === 1 && i >= 3 && i < n - 2 && len % 3 === 0) {
      const f = len / 3;
      if (run[i - 2] === f && run[i - 1] === f && run[i + 1] === f && run[i + 2] === f) {
        // libqrencode counts the start of a line (i = 3) and its end as light enough.
        if (i === 3 || run[i - 3]! >= 4 * f) score += N3;
        else if (i + 4 >= n || run[i + 3]! >= 4 * f) score += N3;
      }
    }
  }
  return score;
}
