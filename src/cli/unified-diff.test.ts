import { unifiedDiff } from './unified-diff.js';

test('is empty for equal texts', () => {
  expect(unifiedDiff('a\nb\n', 'a\nb\n', 'old', 'new')).toBe('');
});

test('shows a changed line with three lines of context in one hunk', () => {
  const old = 'l1\nl2\nl3\nl4\nx = 1\nl6\nl7\nl8\nl9\n';
  const neu = 'l1\nl2\nl3\nl4\nx    = 1\nl6\nl7\nl8\nl9\n';
  expect(unifiedDiff(old, neu, 'old/t', 'new/t')).toBe(
    ['--- old/t', '+++ new/t', '@@ -2,7 +2,7 @@', ' l2', ' l3', ' l4', '-x = 1', '+x    = 1', ' l6', ' l7', ' l8', ''].join('\n'),
  );
});

test('splits distant changes into separate hunks', () => {
  const old = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
  const neu = old.replace('l1\n', 'L1\n').replace('l18\n', 'L18\n');
  const hunks = unifiedDiff(old, neu, 'a', 'b').split('\n').filter((l) => l.startsWith('@@'));
  expect(hunks).toEqual(['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
});
