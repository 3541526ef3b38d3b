// A unified diff for `fmt -diff`. Templates are small, so a plain LCS table is fast enough
// and keeps a dependency out of the CLI.

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = diffOps(a, b);
  if (!ops.some((o) => o.kind !== ' ')) return '';
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  // Group changes into hunks with `context` unchanged lines around them.
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]?.kind === ' ') i++;
    if (i >= ops.length) break;
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end]?.kind !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run]?.kind === ' ') run++;
      if (run >= ops.length || run - end > context * 2) {
        end = Math.min(run, end + context);
        break;
      }
      end = run;
    }
    const hunk = ops.slice(start, end);
    const first = hunk[0];
    const oldStart = first ? first.aIndex + 1 : 0;
    const newStart = first ? first.bIndex + 1 : 0;
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldLen === 0 ? oldStart - 1 : oldStart},${oldLen} +${newLen === 0 ? newStart - 1 : newStart},${newLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    i = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}

interface Op {
  kind: ' ' | '-' | '+';
  line: string;
  /** Position in the old text (for '+': where the line is inserted). */
  aIndex: number;
  bIndex: number;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function diffOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => lcs[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] ?? '', aIndex: i, bIndex: j });
      i++;
      j++;
    } else if (i < n && (j >= m || at(i + 1, j) >= at(i, j + 1))) {
      // Deletions first, as diff(1) prints them.
      ops.push({ kind: '-', line: a[i] ?? '', aIndex: i, bIndex: j });
      i++;
    } else {
      ops.push({ kind: '+', line: b[j] ?? '', aIndex: i, bIndex: j });
      j++;
    }
  }
  return ops;
}
