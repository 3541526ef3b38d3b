// Secrets Manager and SSM Parameter Store, JSON 1.1 protocol (X-Amz-Target names the
// operation), as far as the amazon-secretsmanager and amazon-parameterstore data sources
// and the tests that set values up use them.
import { randomUUID } from 'node:crypto';
import type { Ec2Cloud } from '../cloud.js';
import { AwsError } from '../errors.js';
import type { RegionState, Secret } from '../model.js';
import type { Reply } from '../reply.js';
import type { SignedScope } from '../sigv4.js';

type Json = Record<string, unknown>;
type Operation = (cloud: Ec2Cloud, region: RegionState, input: Json) => Json;

export const JSON_SERVICES = new Set(['secretsmanager', 'ssm']);

export async function handleJsonService(cloud: Ec2Cloud, scope: SignedScope, headers: Record<string, string>, body: Buffer): Promise<Reply> {
  const target = headers['x-amz-target'] ?? '';
  const [prefix, op = ''] = target.split('.');
  const table = scope.service === 'ssm' ? SSM : SECRETS;
  const expectedPrefix = scope.service === 'ssm' ? 'AmazonSSM' : 'secretsmanager';
  const handler = prefix === expectedPrefix ? table[op] : undefined;
  if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
  const fault = cloud.faults.forAction(op);
  if (fault === 'reset') throw new AwsError('InternalFailure', 'connection reset', 500);
  if (fault) throw fault;
  let input: Json;
  try {
    input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Json);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON');
  }
  const out = handler(cloud, cloud.region(scope.region), input);
  return Promise.resolve({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(out) });
}

const str = (input: Json, key: string): string | undefined => (typeof input[key] === 'string' ? input[key] : undefined);
const req = (input: Json, key: string): string => {
  const v = str(input, key);
  if (v === undefined || v === '') throw new AwsError('ValidationException', `1 validation error detected: Value null at '${key[0]?.toLowerCase() ?? ''}${key.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
};

const SECRETS: Record<string, Operation> = {
  CreateSecret: (cloud, r, input) => {
    const name = req(input, 'Name');
    if (r.secrets.has(name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const arn = `arn:aws:secretsmanager:${r.name}:${cloud.accountId}:secret:${name}-${randomUUID().slice(0, 6)}`;
    const versionId = str(input, 'ClientRequestToken') ?? randomUUID();
    const secret: Secret = { name, arn, description: str(input, 'Description'), created: new Date(), versions: [{ id: versionId, stages: new Set(['AWSCURRENT']), string: str(input, 'SecretString'), binary: str(input, 'SecretBinary'), created: new Date() }] };
    r.secrets.set(name, secret);
    return { ARN: arn, Name: name, VersionId: versionId };
  },
  PutSecretValue: (_cloud, r, input) => {
    const s = secretOf(r, req(input, 'SecretId'));
    const versionId = str(input, 'ClientRequestToken') ?? randomUUID();
    for (const v of s.versions) {
      if (v.stages.delete('AWSCURRENT')) v.stages.add('AWSPREVIOUS');
      else v.stages.delete('AWSPREVIOUS');
    }
    s.versions.push({ id: versionId, stages: new Set(['AWSCURRENT']), string: str(input, 'SecretString'), binary: str(input, 'SecretBinary'), created: new Date() });
    return { ARN: s.arn, Name: s.name, VersionId: versionId, VersionStages: ['AWSCURRENT'] };
  },
  GetSecretValue: (_cloud, r, input) => {
    const s = secretOf(r, req(input, 'SecretId'));
    const versionId = str(input, 'VersionId');
    const stage = str(input, 'VersionStage') ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    const v = s.versions.find((x) => (versionId === undefined || x.id === versionId) && (stage === undefined || x.stages.has(stage)));
    if (!v) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage ?? ''}`}`);
    return { ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: [...v.stages], CreatedDate: v.created.getTime() / 1000, ...(v.string !== undefined ? { SecretString: v.string } : {}), ...(v.binary !== undefined ? { SecretBinary: v.binary } : {}) };
  },
  DescribeSecret: (_cloud, r, input) => {
    const s = secretOf(r, req(input, 'SecretId'));
    return { ARN: s.arn, Name: s.name, Description: s.description, CreatedDate: s.created.getTime() / 1000, VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.id, [...v.stages]])) };
  },
  DeleteSecret: (_cloud, r, input) => {
    const s = secretOf(r, req(input, 'SecretId'));
    r.secrets.delete(s.name);
    return { ARN: s.arn, Name: s.name, DeletionDate: Date.now() / 1000 };
  },
};

function secretOf(r: RegionState, id: string): Secret {
  const s = r.secrets.get(id) ?? [...r.secrets.values()].find((x) => x.arn === id);
  if (!s) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  return s;
}

const SSM: Record<string, Operation> = {
  PutParameter: (_cloud, r, input) => {
    const name = req(input, 'Name');
    const value = req(input, 'Value');
    const type = (str(input, 'Type') ?? 'String') as 'String' | 'StringList' | 'SecureString';
    if (!['String', 'StringList', 'SecureString'].includes(type)) throw new AwsError('ValidationException', `Type ${type} is not one of String, StringList, SecureString`);
    const prev = r.parameters.get(name);
    if (prev && input['Overwrite'] !== true) throw new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    const version = (prev?.version ?? 0) + 1;
    r.parameters.set(name, { name, type, value, version, modified: new Date() });
    return { Version: version, Tier: 'Standard' };
  },
  GetParameter: (cloud, r, input) => ({ Parameter: parameterJson(cloud, r, req(input, 'Name'), input['WithDecryption'] === true) }),
  GetParameters: (cloud, r, input) => {
    const names = Array.isArray(input['Names']) ? input['Names'].filter((n): n is string => typeof n === 'string') : [];
    const found = names.filter((n) => r.parameters.has(n.split(':')[0] ?? n));
    return { Parameters: found.map((n) => parameterJson(cloud, r, n, input['WithDecryption'] === true)), InvalidParameters: names.filter((n) => !found.includes(n)) };
  },
  DeleteParameter: (_cloud, r, input) => {
    const name = req(input, 'Name');
    if (!r.parameters.delete(name)) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return {};
  },
};

function parameterJson(cloud: Ec2Cloud, r: RegionState, name: string, decrypt: boolean): Json {
  const p = r.parameters.get(name);
  if (!p) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
  // An encrypted value read without decryption is its ciphertext on AWS; here, an opaque stand-in.
  const value = p.type === 'SecureString' && !decrypt ? Buffer.from(`kms:${p.value}`).toString('base64') : p.value;
  return { Name: p.name, Type: p.type, Value: value, Version: p.version, LastModifiedDate: p.modified.getTime() / 1000, ARN: `arn:aws:ssm:${r.name}:${cloud.accountId}:parameter/${p.name.replace(/^\//, '')}`, DataType: 'text' };
}
