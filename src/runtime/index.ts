// OCI runtime drivers (runc default, crun, bwrap), overlay mounts and the journal resource
// kind that removes a build container a killed build left behind (the core owns `mount`,
// `path` and `process`).
import type { ResourceKind } from '../core/journal-types.js';
import { BwrapRuntime } from './bwrap.js';
import { RuncRuntime } from './runc.js';
import { CONTAINER_RESOURCE_KIND, type OciRuntime, type RuntimeName } from './types.js';

export * from './types.js';
export { mountOverlay, unmount, isMounted, assertOverlaySupported, type OverlayMount } from './overlay.js';
export { resolveInRoot } from './rootfs-path.js';
export { resolveUser, type ResolvedUser } from './user.js';
export { DOCKER_DEFAULT_CAPS, capabilities } from './spec.js';
export { missingTool, runTool } from './tool.js';

export function createRuntime(name: RuntimeName = 'runc'): OciRuntime {
  switch (name) {
    case 'runc':
    case 'crun':
      return new RuncRuntime(name);
    case 'bwrap':
      return new BwrapRuntime();
  }
}

export const containerResourceKind: ResourceKind = {
  kind: CONTAINER_RESOURCE_KIND,
  async remove(entry) {
    const handle = entry.handle;
    const runtime = handle['runtime'] === 'crun' ? 'crun' : handle['runtime'] === 'bwrap' ? 'bwrap' : 'runc';
    const id = handle['id'];
    if (id === undefined) return { removed: [], detail: 'no container id was recorded' };
    await createRuntime(runtime).remove(id);
    return { removed: [`${runtime} container ${id}`] };
  },
};
