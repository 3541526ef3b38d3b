// Maps dist/<dir>/x.test.js to <dir>/__snapshots__/x.test.ts.snap so snapshots are committed
// beside the sources, not in the build output.
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
module.exports = {
  resolveSnapshotPath: (testPath, ext) => {
    const rel = path.relative(dist, testPath);
    return path.join(root, path.dirname(rel), '__snapshots__', path.basename(rel).replace(/\.js$/, '.ts') + ext);
  },
  resolveTestPath: (snapPath, ext) => {
    const rel = path.relative(root, snapPath);
    const dir = path.dirname(path.dirname(rel));
    return path.join(dist, dir, path.basename(rel, ext).replace(/\.ts$/, '.js'));
  },
  testPathForConsistencyCheck: path.join(dist, 'src', 'x.test.js'),
};
