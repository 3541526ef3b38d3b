// Fixtures for tests of core and plugins: RawConfigs and plans from object literals, with a
// distinct source range per key so tests can check where a diagnostic points.
import type { Range } from '../hcl/ast.js';
import type { BuildPlan, PlannedBuild, PlannedPostProcessor, PlannedProvisioner } from './model/plan.js';
import { isObject, type Value, type ValueObject } from './model/value.js';
import type { GeneratedData, RawConfig } from './plugin.js';

export function rangeAtLine(line: number, filename = 'test.pkr.hcl'): Range {
  return { filename, start: { line, column: 3, byte: line * 100 }, end: { line, column: 20, byte: line * 100 + 17 } };
}

/** Key paths get lines 2, 3, 4... in traversal order; the block itself is line 1. */
export function rawConfig(values: ValueObject, filename = 'test.pkr.hcl'): RawConfig {
  const ranges = new Map<string, Range>();
  let line = 2;
  const visit = (v: Value, path: string): void => {
    if (path !== '') ranges.set(path, rangeAtLine(line++, filename));
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, path === '' ? String(i) : `${path}.${i}`));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) visit(x, path === '' ? k : `${path}.${k}`);
  };
  visit(values, '');
  return { values, ranges, blockRange: rangeAtLine(1, filename) };
}

/** The line a key was given by rawConfig. */
export function lineOf(raw: RawConfig, path: string): number | undefined {
  return raw.ranges.get(path)?.start.line;
}

type Body = ValueObject | ((generated: GeneratedData | null) => ValueObject);

function planned(type: string, body: Body): Pick<PlannedProvisioner, 'type' | 'typeRange' | 'range' | 'evaluate'> {
  return {
    type,
    typeRange: rangeAtLine(1),
    range: rangeAtLine(1),
    evaluate: (generated) => ({ raw: rawConfig(typeof body === 'function' ? body(generated) : body), diagnostics: [] }),
  };
}

export function provisioner(
  type: string,
  body: Body,
  meta: Partial<Pick<PlannedProvisioner, 'name' | 'pauseBeforeMs' | 'maxRetries' | 'timeoutMs'>> = {},
): PlannedProvisioner {
  return { ...planned(type, body), name: null, pauseBeforeMs: 0, maxRetries: 0, timeoutMs: null, ...meta };
}

export function postProcessor(type: string, body: Body, keepInputArtifact: boolean | null = null): PlannedPostProcessor {
  return { ...planned(type, body), name: null, keepInputArtifact };
}

export function build(
  sourceType: string,
  sourceName: string,
  source: Body,
  parts: Partial<Pick<PlannedBuild, 'provisioners' | 'errorCleanupProvisioner' | 'postProcessorChains' | 'buildName'>> = {},
): PlannedBuild {
  return {
    buildName: parts.buildName ?? '',
    sourceType,
    sourceName,
    sourceFullName: `${sourceType}.${sourceName}`,
    displayName: parts.buildName ? `${parts.buildName}.${sourceType}.${sourceName}` : `${sourceType}.${sourceName}`,
    source: planned(sourceType, source),
    provisioners: parts.provisioners ?? [],
    errorCleanupProvisioner: parts.errorCleanupProvisioner ?? null,
    postProcessorChains: parts.postProcessorChains ?? [],
    range: rangeAtLine(1),
  };
}

export function plan(builds: PlannedBuild[], extra: Partial<BuildPlan> = {}): BuildPlan {
  return { builds, sensitiveValues: [], templateDir: process.cwd(), sources: new Map(), warnings: [], ...extra };
}
