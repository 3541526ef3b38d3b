// Public API of the HCL package: parsing (native and JSON syntax), formatting and
// diagnostic rendering. Other packages import from here, not from the files behind it.
export type * from './ast.js';
export type { Diagnostic, Severity } from './diagnostic.js';
export { error, warning, hasErrors } from './diagnostic.js';
export { parseHCL, parseExpression, parseTemplate, sortDiagnostics } from './parser.js';
export type { ParseResult } from './parser.js';
export { parseHCLJSON, PACKER_JSON_SCHEMA } from './json.js';
export type { BlockSchema, JSONParseResult } from './json.js';
export { formatHCL } from './format.js';
export type { FormatResult } from './format.js';
export { renderDiagnostic, renderDiagnostics } from './render.js';
export type { RenderOptions } from './render.js';
export { formatLocation, rangeBetween, rangeString } from './range.js';
export { didYouMean, levenshtein } from './suggest.js';
export { stripRanges, astEquals } from './strip.js';
export type { Stripped } from './strip.js';
export { lex } from './lexer.js';
export type { LexOptions, LexResult } from './lexer.js';
// Lower-level pieces for callers that drive the parser themselves (template evaluation).
export { ExprParser } from './parse-expr.js';
export { TokenStream } from './stream.js';
export type { Token, TokenType } from './token.js';
export { decodeSource } from './decode.js';
export type { DecodeResult } from './decode.js';
