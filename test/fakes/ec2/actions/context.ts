// What every EC2 action gets, and the pieces of XML several actions share.
import type { Ec2Cloud } from '../cloud.js';
import { AwsError } from '../errors.js';
import type { RegionState, Tags } from '../model.js';
import type { Params } from '../query.js';
import type { XmlObject } from '../xml.js';

export interface ActionContext {
  cloud: Ec2Cloud;
  region: RegionState;
  p: Params;
}

/** Returns the answer's body (inside <ActionResponse>, after <requestId>). */
export type Action = (ctx: ActionContext) => XmlObject | Promise<XmlObject>;

export function tagSet(tags: Tags): XmlObject[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

/** Tags of `TagSpecification.N` for one resource type; other types are someone else's. */
export function tagsFor(p: Params, resourceType: string, allowed: string[]): Tags {
  const tags: Tags = new Map();
  for (const spec of p.objects('TagSpecification')) {
    const type = spec.required('ResourceType');
    if (!allowed.includes(type)) throw new AwsError('InvalidParameterValue', `'${type}' is not a valid taggable resource type for this operation.`);
    if (type !== resourceType) continue;
    for (const t of spec.objects('Tag')) addTag(tags, t.required('Key'), t.str('Value') ?? '');
  }
  return tags;
}

export function addTag(tags: Tags, key: string, value: string): void {
  if (key.startsWith('aws:')) throw new AwsError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
  if (key.length > 128 || value.length > 256) throw new AwsError('InvalidParameterValue', `Tag '${key.slice(0, 40)}' is too long: keys up to 128 characters, values up to 256`);
  tags.set(key, value);
  if (tags.size > 50) throw new AwsError('TagLimitExceeded', 'The maximum number of tags per resource (50) was exceeded');
}

/** `DryRun=true`: the permission check passed, nothing else happens. */
export function dryRun(p: Params): void {
  if (p.bool('DryRun')) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
