// The layers of imgbuild, checked on every `npm test` (`npm run depcruise`). They are
// described in docs/architecture.md; a rule here and a sentence there change together.
//
//   cli -> template -> core(model) -> hcl      plugins -> shared libraries -> core -> hcl
//
// Type-only imports count: a cycle of types is still a cycle for the reader.
const ROOTS = '^(src|builders|provisioners|post-processors|datasources|test|bench)/';
const PLUGIN = '^(builders|provisioners|post-processors|datasources)/';
const SHARED = '^src/(oci|disk|runtime|vm|communicators|cache|bootstrap|shell-local)/';
// Tests and their helpers may reach across layers to set a scene (a core test running the
// shipped null builder, a plugin test chaining two post-processors); shipped code may not.
const TEST = '(\\.test\\.ts$|^test/|^bench/|/test-support\\.ts$|/test-helpers\\.ts$|/testing\\.ts$|/test-util\\.ts$|/test-sshd\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles anywhere, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'hcl-imports-nothing-of-ours',
      comment: 'src/hcl is the syntax layer: it imports nothing else of the project.',
      severity: 'error',
      from: { path: '^src/hcl/', pathNot: TEST },
      to: { path: ROOTS, pathNot: '^src/hcl/' },
    },
    {
      name: 'core-imports-only-hcl',
      comment: 'src/core (engine, contracts, build model) imports neither template, nor a plugin, nor a shared library, nor the CLI.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TEST },
      to: { path: ROOTS, pathNot: '^src/(core|hcl)/' },
    },
    {
      name: 'template-imports-hcl-and-the-build-model',
      comment: 'src/template produces the build model: it imports hcl, core/model and core\'s base types (errors, durations), nothing else.',
      severity: 'error',
      from: { path: '^src/template/', pathNot: TEST },
      to: { path: ROOTS, pathNot: '^src/(template|hcl)/|^src/core/(model/|errors\\.ts$|duration\\.ts$)' },
    },
    {
      name: 'shared-libraries-know-no-plugin',
      comment: 'oci, disk, runtime, vm, communicators, cache, bootstrap, shell-local import core and each other, never template, a plugin or the CLI.',
      severity: 'error',
      from: { path: SHARED, pathNot: TEST },
      to: { path: `^src/(cli|template)/|${PLUGIN}|^(test|bench)/` },
    },
    {
      name: 'plugins-import-core-and-shared-libraries',
      comment: 'A plugin imports core and the shared libraries, never template or the CLI.',
      severity: 'error',
      from: { path: PLUGIN, pathNot: TEST },
      to: { path: '^src/(cli|template)/|^(test|bench)/' },
    },
    {
      name: 'no-plugin-imports-another',
      comment: 'A plugin imports only its own folder among plugins; shared code goes to a shared library.',
      severity: 'error',
      from: { path: '^(builders|provisioners|post-processors|datasources)/([^/]+)/', pathNot: TEST },
      to: { path: PLUGIN, pathNot: '^$1/$2/' },
    },
    {
      name: 'only-the-cli-knows-the-plugins',
      comment: 'Only src/cli/plugins.ts (the list of shipped plugins) imports a plugin from outside the plugin folders.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/cli/plugins\\.ts$|${TEST}` },
      to: { path: PLUGIN },
    },
    {
      name: 'definition-imports-no-runtime',
      comment: 'A plugin\'s definition.ts is what validate loads: it may not import its index.ts, steps or driver.',
      severity: 'error',
      from: { path: `${PLUGIN.slice(0, -1)}[^/]+/definition\\.ts$` },
      to: { path: `${PLUGIN.slice(0, -1)}[^/]+/(index\\.ts|driver\\.ts|run\\.ts|steps/)`, dependencyTypesNot: ['dynamic-import'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
