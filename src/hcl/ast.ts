// The AST of HCL's native and JSON syntaxes. Every node keeps its exact source range, and
// a body keeps its attributes and blocks in file order: Packer runs provisioners in the
// order they are written, which is exactly what the npm HCL parsers lose.

export interface Pos {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in Unicode code points. */
  column: number;
  /** 0-based offset in the source string (UTF-16 code units, i.e. a JS string index). */
  byte: number;
}

export interface Range {
  filename: string;
  start: Pos;
  end: Pos;
}

export interface Body {
  kind: 'body';
  /** Attributes and blocks in source order. */
  items: BodyItem[];
  range: Range;
}

export type BodyItem = Attribute | Block;

export interface Attribute {
  kind: 'attribute';
  name: string;
  nameRange: Range;
  expr: Expr;
  range: Range;
}

export interface Block {
  kind: 'block';
  type: string;
  typeRange: Range;
  labels: string[];
  labelRanges: Range[];
  body: Body;
  /** From the type name to the closing brace. */
  range: Range;
  openBraceRange: Range;
}

export type Expr =
  | LiteralExpr
  | TemplateExpr
  | TupleExpr
  | ObjectExpr
  | VariableExpr
  | GetAttrExpr
  | IndexExpr
  | SplatExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ConditionalExpr
  | ForExpr
  | ParenExpr
  | SplatItemExpr;

export interface LiteralExpr {
  kind: 'literal';
  /** number, bool, null; quoted strings without interpolation are TemplateExpr with one literal part. */
  value: number | boolean | null;
  range: Range;
}

/** A quoted string or heredoc. Strip markers (~) are already applied to the literal parts. */
export interface TemplateExpr {
  kind: 'template';
  parts: TemplatePart[];
  /** True for heredocs (<<EOT, <<-EOT). */
  heredoc: boolean;
  range: Range;
}

export type TemplatePart =
  | { kind: 'literal'; value: string; range: Range }
  | { kind: 'interp'; expr: Expr; range: Range }
  | { kind: 'if'; cond: Expr; then: TemplatePart[]; else: TemplatePart[] | null; range: Range }
  | {
      kind: 'for';
      keyVar: string | null;
      valueVar: string;
      collection: Expr;
      body: TemplatePart[];
      range: Range;
    };

export interface TupleExpr {
  kind: 'tuple';
  items: Expr[];
  range: Range;
}

export interface ObjectItem {
  /** A bare identifier key is a TemplateExpr with one literal part; `(expr)` keys are the expr. */
  key: Expr;
  /** True when the key was written as a bare identifier (`a = 1`). */
  keyIsIdent: boolean;
  value: Expr;
  range: Range;
}

export interface ObjectExpr {
  kind: 'object';
  items: ObjectItem[];
  range: Range;
}

/** A root name: `var`, `local`, `source`, `each`, a `for` variable... */
export interface VariableExpr {
  kind: 'variable';
  name: string;
  range: Range;
}

export interface GetAttrExpr {
  kind: 'getattr';
  object: Expr;
  name: string;
  nameRange: Range;
  range: Range;
}

/** `a[k]` and the legacy `a.0` form. */
export interface IndexExpr {
  kind: 'index';
  object: Expr;
  key: Expr;
  range: Range;
}

/**
 * `a.*.b` (attribute-only splat, full=false) and `a[*].b[0]` (full splat, full=true).
 * `each` is the traversal applied to every element, rooted at a SplatItemExpr.
 */
export interface SplatExpr {
  kind: 'splat';
  source: Expr;
  each: Expr;
  full: boolean;
  range: Range;
}

/** The element placeholder inside SplatExpr.each. */
export interface SplatItemExpr {
  kind: 'splat-item';
  range: Range;
}

export interface CallExpr {
  kind: 'call';
  name: string;
  nameRange: Range;
  args: Expr[];
  /** `f(a, b...)`: the last argument is a collection spread into arguments. */
  expandFinal: boolean;
  range: Range;
}

export interface UnaryExpr {
  kind: 'unary';
  op: '-' | '!';
  operand: Expr;
  range: Range;
}

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  range: Range;
}

export interface ConditionalExpr {
  kind: 'conditional';
  cond: Expr;
  then: Expr;
  else: Expr;
  range: Range;
}

export interface ForExpr {
  kind: 'for';
  /** `[for ...]` is a tuple, `{for ...}` an object. */
  isObject: boolean;
  keyVar: string | null;
  valueVar: string;
  collection: Expr;
  /** Object for only: the key expression. */
  keyExpr: Expr | null;
  valueExpr: Expr;
  cond: Expr | null;
  /** Object for only: `...` after the value groups values with equal keys into tuples. */
  group: boolean;
  range: Range;
}

export interface ParenExpr {
  kind: 'paren';
  expr: Expr;
  range: Range;
}

/** A whole parsed file. */
export interface File {
  filename: string;
  source: string;
  body: Body;
}
