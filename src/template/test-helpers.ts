// Helpers for the template tests: fixture trees written from object literals into a fresh
// temporary folder, and short views of diagnostics for assertions.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { loadTemplate } from './load.js';
import type { LoadResult } from './load.js';
import { planBuilds } from './planner.js';
import type { BuildPlan } from '../core/model/plan.js';
import type { LoadOptions, Template } from './types.js';

/** The repository root, from dist/src/template/ at run time. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPUS = path.resolve(REPO_ROOT, '../shared/packer-corpus');

export async function writeTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'imgbuild-tpl-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return dir;
}

export function options(over: Partial<LoadOptions> = {}): LoadOptions {
  return { vars: [], varFiles: [], env: {}, cwd: over.cwd ?? tmpdir(), now: () => new Date('2024-05-06T07:08:09Z'), ...over };
}

/** Loads `files` as a template folder; cwd is that folder unless given. */
export async function loadFiles(files: Record<string, string>, over: Partial<LoadOptions> = {}): Promise<LoadResult & { dir: string }> {
  const dir = await writeTree(files);
  const r = await loadTemplate(dir, options({ cwd: dir, ...over }));
  return { ...r, dir };
}

export function errors(diags: readonly Diagnostic[]): string[] {
  return diags.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail}`);
}

export function summaries(diags: readonly Diagnostic[]): string[] {
  return diags.filter((d) => d.severity === 'error').map((d) => d.summary);
}

/** Loads and plans, failing the test with every error when either step reports one. */
export async function mustPlan(files: Record<string, string>, over: Partial<LoadOptions> = {}, only: string[] = [], except: string[] = []): Promise<{ template: Template; plan: BuildPlan }> {
  const r = await loadFiles(files, over);
  expect(errors(r.diagnostics)).toEqual([]);
  if (!r.template) throw new TypeError('no template');
  const p = planBuilds(r.template, { only, except });
  expect(errors(p.diagnostics)).toEqual([]);
  if (!p.plan) throw new TypeError('no plan');
  return { template: r.template, plan: p.plan };
}
