// The plugins that ship with imgbuild: the one place in the project that knows them. Each
// has two modules, both imported by literal specifiers the compiler checks: its definition
// (name, schema, prepare, cacheInputs), all that `validate` loads, and the whole plugin
// (definition + steps, driver, SDK clients), imported only when a build runs it.
// Registration imports nothing. Paths are relative to dist/src/cli/.
import { definitionLoader, moduleLoader, registerPlugin, type LoadableKind } from '../core/registry.js';

type Importer = () => Promise<Record<string, unknown>>;

interface Shipped {
  kind: LoadableKind;
  name: string;
  /** The plugin's folder, for messages. */
  folder: string;
  definition: Importer;
  plugin: Importer;
}

const SHIPPED: readonly Shipped[] = [
  { kind: 'builder', name: 'null', folder: 'builders/null', definition: () => import('../../builders/null/definition.js'), plugin: () => import('../../builders/null/index.js') },
  { kind: 'builder', name: 'container', folder: 'builders/container', definition: () => import('../../builders/container/definition.js'), plugin: () => import('../../builders/container/index.js') },
  { kind: 'builder', name: 'docker', folder: 'builders/container', definition: () => import('../../builders/container/definition.js'), plugin: () => import('../../builders/container/index.js') },
  { kind: 'builder', name: 'qemu', folder: 'builders/qemu', definition: () => import('../../builders/qemu/definition.js'), plugin: () => import('../../builders/qemu/index.js') },

  { kind: 'provisioner', name: 'shell', folder: 'provisioners/shell', definition: () => import('../../provisioners/shell/definition.js'), plugin: () => import('../../provisioners/shell/index.js') },
  { kind: 'provisioner', name: 'file', folder: 'provisioners/file', definition: () => import('../../provisioners/file/definition.js'), plugin: () => import('../../provisioners/file/index.js') },
  { kind: 'provisioner', name: 'shell-local', folder: 'provisioners/shell-local', definition: () => import('../../provisioners/shell-local/definition.js'), plugin: () => import('../../provisioners/shell-local/index.js') },
  { kind: 'provisioner', name: 'breakpoint', folder: 'provisioners/breakpoint', definition: () => import('../../provisioners/breakpoint/definition.js'), plugin: () => import('../../provisioners/breakpoint/index.js') },

  { kind: 'post-processor', name: 'shell-local', folder: 'post-processors/shell-local', definition: () => import('../../post-processors/shell-local/definition.js'), plugin: () => import('../../post-processors/shell-local/index.js') },
  { kind: 'post-processor', name: 'manifest', folder: 'post-processors/manifest', definition: () => import('../../post-processors/manifest/definition.js'), plugin: () => import('../../post-processors/manifest/index.js') },
  { kind: 'post-processor', name: 'checksum', folder: 'post-processors/checksum', definition: () => import('../../post-processors/checksum/definition.js'), plugin: () => import('../../post-processors/checksum/index.js') },
  { kind: 'post-processor', name: 'compress', folder: 'post-processors/compress', definition: () => import('../../post-processors/compress/definition.js'), plugin: () => import('../../post-processors/compress/index.js') },
  { kind: 'post-processor', name: 'disk', folder: 'post-processors/disk', definition: () => import('../../post-processors/disk/definition.js'), plugin: () => import('../../post-processors/disk/index.js') },
  { kind: 'post-processor', name: 'ova', folder: 'post-processors/ova', definition: () => import('../../post-processors/ova/definition.js'), plugin: () => import('../../post-processors/ova/index.js') },
  { kind: 'post-processor', name: 'vmware', folder: 'post-processors/vmware', definition: () => import('../../post-processors/vmware/definition.js'), plugin: () => import('../../post-processors/vmware/index.js') },
  { kind: 'post-processor', name: 'docker-tag', folder: 'post-processors/docker-tag', definition: () => import('../../post-processors/docker-tag/definition.js'), plugin: () => import('../../post-processors/docker-tag/index.js') },
  { kind: 'post-processor', name: 'docker-push', folder: 'post-processors/docker-push', definition: () => import('../../post-processors/docker-push/definition.js'), plugin: () => import('../../post-processors/docker-push/index.js') },
  { kind: 'post-processor', name: 'docker-save', folder: 'post-processors/docker-save', definition: () => import('../../post-processors/docker-save/definition.js'), plugin: () => import('../../post-processors/docker-save/index.js') },
  { kind: 'post-processor', name: 'docker-import', folder: 'post-processors/docker-import', definition: () => import('../../post-processors/docker-import/definition.js'), plugin: () => import('../../post-processors/docker-import/index.js') },

  { kind: 'data-source', name: 'null', folder: 'datasources/null', definition: () => import('../../datasources/null/definition.js'), plugin: () => import('../../datasources/null/index.js') },
  { kind: 'data-source', name: 'http', folder: 'datasources/http', definition: () => import('../../datasources/http/definition.js'), plugin: () => import('../../datasources/http/index.js') },
];

let done = false;

export function registerBuiltins(): void {
  if (done) return;
  done = true;
  for (const p of SHIPPED) {
    registerPlugin(
      p.kind,
      p.name,
      moduleLoader(p.kind, p.name, p.plugin, `${p.folder}/index.js`),
      definitionLoader(p.kind, p.name, p.definition, `${p.folder}/definition.js`),
    );
  }
}

/** The shipped plugins, for tests that check each one (e.g. that validate loads no runtime). */
export function shippedPlugins(): readonly Pick<Shipped, 'kind' | 'name' | 'folder'>[] {
  return SHIPPED.map(({ kind, name, folder }) => ({ kind, name, folder }));
}
