// `required_version` constraints in hashicorp/go-version syntax: comma-separated clauses
// of `=`, `!=`, `>`, `>=`, `<`, `<=` and the pessimistic `~>` operator.

type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~>';

interface Clause {
  op: Op;
  version: number[];
  text: string;
}

/** null when the constraint text is malformed. */
export function parseConstraint(text: string): Clause[] | null {
  const clauses: Clause[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+)*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?\s*$/.exec(part);
    if (!m || m[2] === undefined) return null;
    clauses.push({ op: (m[1] ?? '=') as Op, version: m[2].split('.').map(Number), text: part.trim() });
  }
  return clauses;
}

/** The clauses `version` does not meet (empty when it satisfies them all). */
export function unmetClauses(clauses: Clause[], version: string): string[] {
  const v = version.split('.').map(Number);
  return clauses.filter((c) => !meets(v, c)).map((c) => c.text);
}

function meets(v: number[], c: Clause): boolean {
  const cmp = compare(v, c.version);
  switch (c.op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '~>': {
      if (cmp < 0) return false;
      // ~> 1.2.5 allows 1.2.x; ~> 1.2 allows 1.x; ~> 1 allows 1.x.
      const keep = Math.max(1, c.version.length - 1);
      return c.version.slice(0, keep).every((n, i) => (v[i] ?? 0) === n);
    }
  }
}

function compare(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
