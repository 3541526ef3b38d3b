// `node --import` entry: registers the marker test builder in the same registry module
// instance the CLI uses (both resolve to dist/src/core/registry.js).
import { registerPlugin } from '../../src/core/registry.js';
import { markerBuilder } from './marker-builder.js';

registerPlugin('builder', 'marker', () => Promise.resolve(markerBuilder));
