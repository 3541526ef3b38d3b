// Tokens of HCL's native syntax. The set mirrors hclsyntax's scanner so the parser can
// follow HCL's grammar closely and the formatter can follow hclwrite's spacing rules,
// which are written in terms of these token types.
import type { Range } from './ast.js';

export type TokenType =
  | 'OBrace'
  | 'CBrace'
  | 'OBrack'
  | 'CBrack'
  | 'OParen'
  | 'CParen'
  | 'OQuote'
  | 'CQuote'
  | 'OHeredoc'
  | 'CHeredoc'
  | 'Star'
  | 'Slash'
  | 'Plus'
  | 'Minus'
  | 'Percent'
  | 'Equal'
  | 'EqualOp'
  | 'NotEqual'
  | 'LessThan'
  | 'LessThanEq'
  | 'GreaterThan'
  | 'GreaterThanEq'
  | 'And'
  | 'Or'
  | 'Bang'
  | 'Dot'
  | 'Comma'
  | 'DoubleColon'
  | 'Ellipsis'
  | 'FatArrow'
  | 'Question'
  | 'Colon'
  | 'TemplateInterp'
  | 'TemplateControl'
  | 'TemplateSeqEnd'
  | 'QuotedLit'
  | 'StringLit'
  | 'NumberLit'
  | 'Ident'
  | 'Comment'
  | 'Newline'
  | 'Invalid'
  | 'EOF';

export interface Token {
  type: TokenType;
  /** The exact source text of the token. */
  text: string;
  range: Range;
  /**
   * Set on a zero-width closing quote the lexer inserts when a quoted string runs into
   * the end of its line, so the parser can carry on after the lexer's diagnostic.
   */
  synthetic?: true;
}

/** Opening bracket of a closer, and the reverse; used by recovery to skip nested pairs. */
export function oppositeBracket(t: TokenType): TokenType | null {
  switch (t) {
    case 'OBrace':
      return 'CBrace';
    case 'CBrace':
      return 'OBrace';
    case 'OBrack':
      return 'CBrack';
    case 'CBrack':
      return 'OBrack';
    case 'OParen':
      return 'CParen';
    case 'CParen':
      return 'OParen';
    case 'OQuote':
      return 'CQuote';
    case 'CQuote':
      return 'OQuote';
    case 'OHeredoc':
      return 'CHeredoc';
    case 'CHeredoc':
      return 'OHeredoc';
    case 'TemplateInterp':
    case 'TemplateControl':
      return 'TemplateSeqEnd';
    case 'TemplateSeqEnd':
      return 'TemplateInterp';
    default:
      return null;
  }
}

/** True for `#` and `//` comments, which run to the end of their line. */
export function isLineComment(tok: Token): boolean {
  return tok.type === 'Comment' && !tok.text.startsWith('/*');
}
