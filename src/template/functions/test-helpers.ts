// Shared by the function tests: call a built-in by name with a fixed clock and base dir,
// and capture the FunctionError a call throws.
import type { Value, ValueObject } from '../../core/model/value.js';
import { FUNCTIONS, FunctionError, type FunctionContext } from './index.js';

export const FIXED_NOW = new Date('2026-03-04T05:06:07.089Z');

export function testContext(overrides: Partial<FunctionContext> = {}): FunctionContext {
  return {
    baseDir: '/nonexistent-base',
    now: () => FIXED_NOW,
    renderTemplate: (text: string, vars: ValueObject) => `${text}|${JSON.stringify(vars)}`,
    ...overrides,
  };
}

export function callWith(ctx: FunctionContext, name: string, ...args: Value[]): Value {
  const def = FUNCTIONS.get(name);
  if (!def) throw new Error(`no function ${name}`);
  return def.impl(args, ctx);
}

export function call(name: string, ...args: Value[]): Value {
  return callWith(testContext(), name, ...args);
}

/** The FunctionError a call throws; fails the test when it does not throw one. */
export function callErrorWith(ctx: FunctionContext, name: string, ...args: Value[]): FunctionError {
  try {
    callWith(ctx, name, ...args);
  } catch (e) {
    if (e instanceof FunctionError) return e;
    throw e;
  }
  throw new Error(`${name}(${JSON.stringify(args)}) did not fail`);
}

export function callError(name: string, ...args: Value[]): FunctionError {
  return callErrorWith(testContext(), name, ...args);
}

/** Shorthand for table rows: [name, args, expected]. */
export type Case = [string, Value[], Value];
export type ErrorCase = [string, Value[], string];
