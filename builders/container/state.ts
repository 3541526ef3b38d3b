// Typed state shared by the container builder's steps.
import { StateKey } from '../../src/core/state.js';
import type { ImageConfig } from '../../src/oci/image.js';
import type { BaseImage } from './driver.js';
import type { LayerSession, LayerStack } from './layers.js';

export interface BuiltImage {
  manifestDigest: string;
  configDigest: string;
  /** OCI layout holding the image (the first `oci:` output, else the cache layout). */
  layoutDir: string;
  refName?: string;
  files: string[];
  /** Where each output went, for the artifact description. */
  outputs: string[];
}

export const SOURCE_DATE_EPOCH = new StateKey<number>('container.source-date-epoch');
export const BASE_IMAGE = new StateKey<BaseImage>('container.base-image');
/** Extracted base layer directories, bottom layer first. */
export const BASE_LAYER_DIRS = new StateKey<string[]>('container.base-layer-dirs');
export const BUILD_DIR = new StateKey<string>('container.build-dir');
export const LAYER_STACK = new StateKey<LayerStack>('container.layer-stack');
export const FINAL_CONFIG = new StateKey<ImageConfig>('container.final-config');
export const BUILT_IMAGE = new StateKey<BuiltImage>('container.built-image');
export const LAYER_SESSION = new StateKey<LayerSession>('container.layer-session');
