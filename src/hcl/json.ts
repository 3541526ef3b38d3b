// HCL's JSON syntax (`*.pkr.json`), producing the same AST as the native syntax. JSON
// cannot say which object keys are nested blocks, so a schema does; everything else is
// an attribute, and every JSON string is a template (`"${var.x}"`). Arrays of block
// objects keep their order, which is how a JSON template orders its provisioners.
import type { Block, Body, BodyItem, Expr, File, ObjectItem, Pos, Range, TemplateExpr } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { capDiagnostics, error } from './diagnostic.js';
import type { JProp, JString, JValue } from './json-scan.js';
import { scanJSON } from './json-scan.js';
import { lex } from './lexer.js';
import { ExprParser } from './parse-expr.js';
import { rangeBetween, rangeString } from './range.js';
import { TokenStream } from './stream.js';

export interface BlockSchema {
  blocks: { [type: string]: { labels: number; body?: BlockSchema } };
}

const PLUGIN_BODY: BlockSchema = { blocks: {} };

/** Packer's top-level blocks and the nested blocks of build/packer/variable. */
export const PACKER_JSON_SCHEMA: BlockSchema = {
  blocks: {
    packer: { labels: 0, body: { blocks: { required_plugins: { labels: 0 } } } },
    variable: { labels: 1, body: { blocks: { validation: { labels: 0 } } } },
    variables: { labels: 0 },
    locals: { labels: 0 },
    local: { labels: 1 },
    source: { labels: 2, body: PLUGIN_BODY },
    data: { labels: 2, body: PLUGIN_BODY },
    build: {
      labels: 0,
      body: {
        blocks: {
          source: { labels: 1, body: PLUGIN_BODY },
          provisioner: { labels: 1, body: PLUGIN_BODY },
          'post-processor': { labels: 1, body: PLUGIN_BODY },
          'post-processors': { labels: 0, body: { blocks: { 'post-processor': { labels: 1, body: PLUGIN_BODY } } } },
          'error-cleanup-provisioner': { labels: 1, body: PLUGIN_BODY },
          hcp_packer_registry: { labels: 0 },
        },
      },
    },
  },
};

export interface JSONParseResult {
  file: File;
  diagnostics: Diagnostic[];
}

export function parseHCLJSON(source: string, filename: string, schema: BlockSchema = PACKER_JSON_SCHEMA): JSONParseResult {
  const scanned = scanJSON(source, filename);
  const conv = new Converter(source, filename, scanned.diagnostics);
  const start: Pos = { line: 1, column: 1, byte: 0 };
  let body: Body = { kind: 'body', items: [], range: { filename, start, end: start } };
  if (scanned.value) body = conv.body(scanned.value, schema, 'file');
  return { file: { filename, source, body }, diagnostics: capDiagnostics(conv.diags) };
}

class Converter {
  private lineStarts: number[] | null = null;

  constructor(
    private readonly source: string,
    private readonly filename: string,
    readonly diags: Diagnostic[],
  ) {}

  body(value: JValue, schema: BlockSchema | undefined, what: 'file' | 'block'): Body {
    if (value.kind !== 'object') {
      this.diags.push(
        error(
          'Incorrect JSON value type',
          what === 'file' ? 'The root of a JSON configuration file must be an object.' : 'A JSON object is required here, setting the arguments for this block.',
          value.range,
        ),
      );
      return { kind: 'body', items: [], range: value.range };
    }
    const items: BodyItem[] = [];
    const seen = new Map<string, Range>();
    for (const prop of value.props) {
      const name = prop.key.value;
      // HCL's JSON syntax reserves "//" for comments.
      if (name === '//') continue;
      const blockSchema = schema?.blocks[name];
      if (blockSchema) {
        this.blocks(prop, prop.value, blockSchema.labels, [], [], blockSchema.body, items);
        continue;
      }
      const earlier = seen.get(name);
      if (earlier) {
        this.diags.push(
          error(
            'Attribute redefined',
            `The argument "${name}" was already set at ${rangeString(earlier)}. Each argument may be set only once.`,
            prop.key.range,
          ),
        );
        continue;
      }
      seen.set(name, prop.key.range);
      const expr = this.expr(prop.value);
      items.push({ kind: 'attribute', name, nameRange: prop.key.range, expr, range: rangeBetween(prop.key.range, expr.range) });
    }
    return { kind: 'body', items, range: value.range };
  }

  /** Expands `"type": {"label": {...}}`, with arrays allowed at any level to keep order. */
  private blocks(
    typeProp: JProp,
    value: JValue,
    labelsLeft: number,
    labels: string[],
    labelRanges: Range[],
    schema: BlockSchema | undefined,
    out: BodyItem[],
  ): void {
    if (value.kind === 'null') return;
    if (value.kind === 'array') {
      for (const item of value.items) this.blocks(typeProp, item, labelsLeft, labels, labelRanges, schema, out);
      return;
    }
    if (value.kind !== 'object') {
      const detail =
        labelsLeft > 0
          ? `A JSON object is required here, whose property names are the labels of the "${typeProp.key.value}" block.`
          : `A JSON object is required here, setting the arguments of the "${typeProp.key.value}" block.`;
      this.diags.push(error('Incorrect JSON value type', detail, value.range));
      return;
    }
    if (labelsLeft > 0) {
      for (const prop of value.props) {
        this.blocks(typeProp, prop.value, labelsLeft - 1, [...labels, prop.key.value], [...labelRanges, prop.key.range], schema, out);
      }
      return;
    }
    const body = this.body(value, schema, 'block');
    const block: Block = {
      kind: 'block',
      type: typeProp.key.value,
      typeRange: typeProp.key.range,
      labels,
      labelRanges,
      body,
      range: rangeBetween(typeProp.key.range, value.range),
      openBraceRange: { filename: this.filename, start: value.range.start, end: { ...value.range.start, column: value.range.start.column + 1, byte: value.range.start.byte + 1 } },
    };
    out.push(block);
  }

  private expr(value: JValue): Expr {
    switch (value.kind) {
      case 'string':
        return this.template(value);
      case 'number':
      case 'bool':
        return { kind: 'literal', value: value.value, range: value.range };
      case 'null':
        return { kind: 'literal', value: null, range: value.range };
      case 'array':
        return { kind: 'tuple', items: value.items.map((v) => this.expr(v)), range: value.range };
      case 'object': {
        const items: ObjectItem[] = value.props.map((p) => {
          const key = this.template(p.key);
          const v = this.expr(p.value);
          return { key, keyIsIdent: false, value: v, range: rangeBetween(p.key.range, v.range) };
        });
        return { kind: 'object', items, range: value.range };
      }
    }
  }

  private template(str: JString): TemplateExpr {
    const text = str.value;
    const contentRange = this.contentRange(str);
    if (!/[$%]\{/.test(text)) {
      return { kind: 'template', parts: [{ kind: 'literal', value: text, range: contentRange }], heredoc: false, range: str.range };
    }
    const lexed = lex(text, this.filename, { mode: 'template' });
    const diags: Diagnostic[] = [...lexed.diagnostics];
    const parser = new ExprParser(new TokenStream(lexed.tokens), diags);
    const parsed = parser.parseBareTemplate();
    const map = (r: Range): Range => this.mapRange(str, r);
    for (const d of diags) this.diags.push(remap(d, map));
    const expr = remap(parsed, map);
    return { ...expr, range: str.range };
  }

  private contentRange(str: JString): Range {
    const start = { line: str.range.start.line, column: str.range.start.column + 1, byte: str.range.start.byte + 1 };
    const end = { line: str.range.end.line, column: str.range.end.column - 1, byte: str.range.end.byte - 1 };
    return { filename: this.filename, start, end };
  }

  /** Maps a range within a decoded JSON string back to the JSON source. */
  private mapRange(str: JString, r: Range): Range {
    const toSource = (decoded: number): number => (str.offsets ? (str.offsets[decoded] ?? str.range.end.byte - 1) : str.contentStart + decoded);
    return { filename: this.filename, start: this.posAt(toSource(r.start.byte)), end: this.posAt(toSource(r.end.byte)) };
  }

  private posAt(offset: number): Pos {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.source.length; i++) if (this.source.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = starts[lo] ?? 0;
    return { line: lo + 1, column: [...this.source.slice(lineStart, offset)].length + 1, byte: offset };
  }
}

/** A deep copy of `node` with every range passed through `map`. */
function remap<T>(node: T, map: (r: Range) => Range): T {
  return remapValue(node, map) as T;
}

function remapValue(node: unknown, map: (r: Range) => Range): unknown {
  if (Array.isArray(node)) return node.map((n) => remapValue(n, map));
  if (node === null || typeof node !== 'object') return node;
  if (isRange(node)) return map(node);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = remapValue(v, map);
  return out;
}

function isRange(v: object): v is Range {
  return 'filename' in v && 'start' in v && 'end' in v;
}
