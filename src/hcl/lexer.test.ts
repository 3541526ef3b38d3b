import { lex } from './lexer.js';

function types(src: string): string[] {
  return lex(src, 'l.hcl').tokens.map((t) => `${t.type}:${t.text}`);
}

describe('lex', () => {
  it('scans identifiers with dashes, numbers with exponents and operators', () => {
    expect(types('post-processor a_1 1.5e+3 == != <= >= && || => ... :: ? : !')).toEqual([
      'Ident:post-processor',
      'Ident:a_1',
      'NumberLit:1.5e+3',
      'EqualOp:==',
      'NotEqual:!=',
      'LessThanEq:<=',
      'GreaterThanEq:>=',
      'And:&&',
      'Or:||',
      'FatArrow:=>',
      'Ellipsis:...',
      'DoubleColon:::',
      'Question:?',
      'Colon::',
      'Bang:!',
      'EOF:',
    ]);
  });

  it('keeps comments and newlines as tokens', () => {
    expect(types('a # x\n// y\n/* z\n */b')).toEqual(['Ident:a', 'Comment:# x', 'Newline:\n', 'Comment:// y', 'Newline:\n', 'Comment:/* z\n */', 'Ident:b', 'EOF:']);
  });

  it('splits quoted templates into literals, sequences and strip markers', () => {
    expect(types('"a${~ b ~}c%{ if x }$${y}"')).toEqual([
      'OQuote:"',
      'QuotedLit:a',
      'TemplateInterp:${~',
      'Ident:b',
      'TemplateSeqEnd:~}',
      'QuotedLit:c',
      'TemplateControl:%{',
      'Ident:if',
      'Ident:x',
      'TemplateSeqEnd:}',
      'QuotedLit:$${y}',
      'CQuote:"',
      'EOF:',
    ]);
  });

  it('tells object braces inside an interpolation from its closing brace', () => {
    expect(types('"${ {a = 1}.a }"').filter((t) => t.startsWith('CBrace') || t.startsWith('TemplateSeqEnd'))).toEqual([
      'CBrace:}',
      'TemplateSeqEnd:}',
    ]);
  });

  it('scans heredocs line by line and finds an indented closing marker', () => {
    expect(types('x = <<-EOT\n  a ${b}\n  EOTX\n  EOT\n')).toEqual([
      'Ident:x',
      'Equal:=',
      'OHeredoc:<<-EOT\n',
      'StringLit:  a ',
      'TemplateInterp:${',
      'Ident:b',
      'TemplateSeqEnd:}',
      'StringLit:\n',
      'StringLit:  EOTX\n',
      'CHeredoc:  EOT',
      'Newline:\n',
      'EOF:',
    ]);
  });

  it('lexes numbers after a dot as whole legacy indexes', () => {
    expect(types('a.0.1')).toEqual(['Ident:a', 'Dot:.', 'NumberLit:0', 'Dot:.', 'NumberLit:1', 'EOF:']);
  });

  it('tracks line, column (in code points) and offset', () => {
    const toks = lex('é = "😀"\n  b', 'l.hcl').tokens;
    expect(toks.map((t) => [t.text, t.range.start.line, t.range.start.column, t.range.start.byte])).toEqual([
      ['é', 1, 1, 0],
      ['=', 1, 3, 2],
      ['"', 1, 5, 4],
      ['😀', 1, 6, 5],
      ['"', 1, 7, 7],
      ['\n', 1, 8, 8],
      ['b', 2, 3, 11],
      ['', 2, 4, 12],
    ]);
  });

  it('explains characters HCL does not use', () => {
    const r = lex("a = 'x'; b & c ` ~", 'l.hcl');
    expect(r.diagnostics.map((d) => `${d.subject?.start.column}: ${d.summary}`)).toEqual([
      '5: Invalid character',
      '8: Invalid character',
      '12: Unsupported operator',
      '16: Invalid character',
      '18: Unsupported operator',
    ]);
  });

  it('lexes a bare template (JSON string content) in template mode', () => {
    expect(types('a ${b} c')).not.toContain('StringLit:a ');
    expect(lex('a ${b} c', 't', { mode: 'template' }).tokens.map((t) => t.type)).toEqual([
      'StringLit',
      'TemplateInterp',
      'Ident',
      'TemplateSeqEnd',
      'StringLit',
      'EOF',
    ]);
  });
});
