// EC2's `Filter.N.Name` / `Filter.N.Value.M`: values of one filter are ORed, filters ANDed;
// `*` and `?` are wildcards; `tag:KEY` matches a tag's value and `tag-key` a tag's key. A
// filter name the action does not know is an error, as on EC2.
import { AwsError } from './errors.js';
import type { Tags } from './model.js';
import type { Params } from './query.js';

export interface Filter {
  name: string;
  values: string[];
}

/** Per filter name, the values a resource has for it. */
export type FilterFields<T> = Record<string, (r: T) => (string | undefined)[] | string | undefined | boolean>;

export function readFilters(p: Params): Filter[] {
  return p.objects('Filter').map((f) => ({ name: f.required('Name'), values: f.list('Value') }));
}

export function applyFilters<T>(items: T[], filters: Filter[], fields: FilterFields<T>, tags: (r: T) => Tags): T[] {
  for (const f of filters) {
    if (!f.name.startsWith('tag:') && f.name !== 'tag-key' && f.name !== 'tag-value' && !(f.name in fields)) {
      throw new AwsError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
  }
  return items.filter((item) => filters.every((f) => matchesFilter(item, f, fields, tags)));
}

function matchesFilter<T>(item: T, f: Filter, fields: FilterFields<T>, tags: (r: T) => Tags): boolean {
  let have: (string | undefined)[];
  if (f.name.startsWith('tag:')) have = [tags(item).get(f.name.slice(4))];
  else if (f.name === 'tag-key') have = [...tags(item).keys()];
  else if (f.name === 'tag-value') have = [...tags(item).values()];
  else {
    const v = fields[f.name]?.(item);
    have = Array.isArray(v) ? v : [typeof v === 'boolean' ? String(v) : v];
  }
  return f.values.some((want) => have.some((h) => h !== undefined && wildcard(want).test(h)));
}

const cache = new Map<string, RegExp>();

export function wildcard(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/\\([*?\\])|([*?])|([.+^${}()|[\]\\])/g, (_m, esc: string | undefined, wild: string | undefined, special: string | undefined) =>
      esc !== undefined ? `\\${esc}` : wild === '*' ? '.*' : wild === '?' ? '.' : `\\${special ?? ''}`,
    );
    re = new RegExp(`^${body}$`, 's');
    cache.set(pattern, re);
  }
  return re;
}
