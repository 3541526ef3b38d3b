// Limits that keep hostile input from exhausting the stack or the heap (issue 14).

/**
 * How deep expressions, blocks, traversals and JSON values may nest. Everything that later
 * walks the syntax tree (evaluation, type checks, reference collection, rendering) recurses
 * on it, so this one limit keeps all of them far from the call stack's end. Real templates
 * nest a handful of levels; 1,300 nested parentheses used to end in a stack overflow.
 */
export const MAX_NESTING = 128;
