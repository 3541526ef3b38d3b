// The plugins that ship with imgbuild. Registration costs nothing: each module is imported
// only when a template uses it. Module paths are relative to dist/src/core/; those kept in
// a variable are written by other parts of the project and may be absent in a partial
// build, which moduleLoader turns into a clear error instead of a crash.
import { moduleLoader, registerPlugin, type LoadableKind } from './registry.js';

let done = false;

export function registerBuiltins(): void {
  if (done) return;
  done = true;
  const own = (kind: LoadableKind, name: string, importer: () => Promise<Record<string, unknown>>, path: string): void =>
    registerPlugin(kind, name, moduleLoader(kind, name, importer, path));
  const external = (kind: LoadableKind, name: string, path: string): void => {
    // A non-literal specifier: the compiler must not require the module to exist yet.
    const specifier: string = `../../${path}`;
    registerPlugin(kind, name, moduleLoader(kind, name, () => import(specifier) as Promise<Record<string, unknown>>, path));
  };

  own('builder', 'null', () => import('../../builders/null/index.js'), 'builders/null/index.js');
  external('builder', 'container', 'builders/container/index.js');
  external('builder', 'docker', 'builders/container/index.js');
  external('builder', 'qemu', 'builders/qemu/index.js');

  own('provisioner', 'shell-local', () => import('../../provisioners/shell-local/index.js'), 'provisioners/shell-local/index.js');
  own('provisioner', 'breakpoint', () => import('../../provisioners/breakpoint/index.js'), 'provisioners/breakpoint/index.js');
  external('provisioner', 'shell', 'provisioners/shell/index.js');
  external('provisioner', 'file', 'provisioners/file/index.js');

  own('post-processor', 'shell-local', () => import('../../post-processors/shell-local/index.js'), 'post-processors/shell-local/index.js');
  own('post-processor', 'manifest', () => import('../../post-processors/manifest/index.js'), 'post-processors/manifest/index.js');
  own('post-processor', 'checksum', () => import('../../post-processors/checksum/index.js'), 'post-processors/checksum/index.js');
  own('post-processor', 'compress', () => import('../../post-processors/compress/index.js'), 'post-processors/compress/index.js');
  own('post-processor', 'disk', () => import('../../post-processors/disk/index.js'), 'post-processors/disk/index.js');
  own('post-processor', 'ova', () => import('../../post-processors/ova/index.js'), 'post-processors/ova/index.js');
  own('post-processor', 'vmware', () => import('../../post-processors/vmware/index.js'), 'post-processors/vmware/index.js');
  for (const name of ['docker-tag', 'docker-push', 'docker-save', 'docker-import']) {
    external('post-processor', name, `post-processors/${name}/index.js`);
  }
}
