// Public API of the Packer template model: load a template, plan its builds, describe it.
export { loadTemplate } from './load.js';
export type { LoadResult } from './load.js';
export { planBuilds } from './planner.js';
export type { PlanOptions } from './planner.js';
export { describeTemplate, evaluateInTemplate, pluginBlocks, renderValue } from './inspect.js';
export type { PluginBlockRef, TemplateDescription } from './inspect.js';
export { PACKER_COMPAT_VERSION, GENERATED_KEYS } from './scope.js';
export { parseSourceRef } from './builds.js';
export { parseGoDuration } from './duration.js';
export type { LoadOptions, Template, VariableDef, LocalDef, SourceDef, BuildDef, ValueSource } from './types.js';
export type { BuildPlan, PlannedBuild, PlannedPlugin, PlannedProvisioner, PlannedPostProcessor, EvaluatedConfig } from '../core/model/plan.js';
