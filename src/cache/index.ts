// The content-addressed step cache: keys, the local store, the registry store, the hooks a
// builder wraps around its own, and maintenance (usage, prune).
export * from './entry.js';
export * from './hooks.js';
export * from './key.js';
export * from './local.js';
export * from './prune.js';
export * from './registry.js';
export * from './settings.js';
export * from './file-memo.js';
export * from './tree-digest.js';
