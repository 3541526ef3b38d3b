// `node --import` entry: registers the minicloud test builder in the same registry module
// instance the CLI uses, the way an installed plugin would be known to it.
import { registerPlugin } from '../../src/core/registry.js';
import { minicloudBuilder } from './minicloud/builder.js';

registerPlugin('builder', 'minicloud', () => Promise.resolve(minicloudBuilder));
