// Key pairs: CreateKeyPair makes a real key (RSA as PKCS#1 PEM, ED25519 in OpenSSH format,
// as EC2 hands them out) whose public half reaches the instances launched with it;
// ImportKeyPair takes an OpenSSH public key. Fingerprints are computed the way EC2 does.
import { createHash, generateKeyPairSync, createPrivateKey } from 'node:crypto';
import ssh2 from 'ssh2';
import { AwsError, invalidValue } from '../errors.js';
import { applyFilters, readFilters, type FilterFields } from '../filters.js';
import { newId, type KeyPair } from '../model.js';
import { dryRun, tagSet, tagsFor, type Action } from './context.js';

const KEY_FILTERS: FilterFields<KeyPair> = {
  'key-name': (k) => k.name,
  'key-pair-id': (k) => k.id,
  fingerprint: (k) => k.fingerprint,
  'key-type': (k) => k.type,
};

export const createKeyPair: Action = ({ region, p }) => {
  dryRun(p);
  const name = keyName(p.required('KeyName'));
  const type = p.str('KeyType') ?? 'rsa';
  if (type !== 'rsa' && type !== 'ed25519') throw invalidValue('KeyType', type);
  const format = p.str('KeyFormat') ?? 'pem';
  if (format !== 'pem') throw invalidValue('KeyFormat', format, 'The local EC2 hands out pem keys only.');
  rejectDuplicate(region.keyPairs.values(), name);
  let material: string;
  let publicKey: string;
  let fingerprint: string;
  if (type === 'rsa') {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    material = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    publicKey = openSshPublic(material);
    // EC2: SHA-1 of the private key in PKCS#8 DER.
    fingerprint = colonHex(createHash('sha1').update(createPrivateKey(material).export({ type: 'pkcs8', format: 'der' })).digest());
  } else {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    material = pair.private;
    publicKey = pair.public.trim();
    fingerprint = sha256Fingerprint(publicKey);
  }
  const kp: KeyPair = { id: newId('key'), name, type, fingerprint, publicKey, created: new Date(), tags: tagsFor(p, 'key-pair', ['key-pair']) };
  region.keyPairs.set(kp.id, kp);
  return { keyName: name, keyFingerprint: fingerprint, keyMaterial: material, keyPairId: kp.id, tagSet: tagSet(kp.tags) };
};

export const importKeyPair: Action = ({ region, p }) => {
  dryRun(p);
  const name = keyName(p.required('KeyName'));
  const text = Buffer.from(p.required('PublicKeyMaterial'), 'base64').toString('utf8').trim();
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error || Array.isArray(parsed) || (parsed.type !== 'ssh-rsa' && parsed.type !== 'ssh-ed25519')) {
    throw new AwsError('InvalidKey.Format', 'Key is not in valid OpenSSH public key format (ssh-rsa or ssh-ed25519)');
  }
  rejectDuplicate(region.keyPairs.values(), name);
  const publicKey = `${parsed.type} ${parsed.getPublicSSH().toString('base64')}`;
  const type = parsed.type === 'ssh-rsa' ? 'rsa' : 'ed25519';
  // EC2: MD5 of the public key blob for imported RSA keys, SHA-256 (base64) for ED25519.
  const fingerprint = type === 'rsa' ? colonHex(createHash('md5').update(parsed.getPublicSSH()).digest()) : sha256Fingerprint(publicKey);
  const kp: KeyPair = { id: newId('key'), name, type, fingerprint, publicKey, created: new Date(), tags: tagsFor(p, 'key-pair', ['key-pair']) };
  region.keyPairs.set(kp.id, kp);
  return { keyName: name, keyFingerprint: fingerprint, keyPairId: kp.id, tagSet: tagSet(kp.tags) };
};

export const deleteKeyPair: Action = ({ region, p }) => {
  dryRun(p);
  const name = p.str('KeyName');
  const id = p.str('KeyPairId');
  if (name === undefined && id === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
  // EC2 answers true for a key pair that does not exist: deleting is idempotent.
  const kp = [...region.keyPairs.values()].find((k) => k.name === name || k.id === id);
  if (kp) region.keyPairs.delete(kp.id);
  return { return: true, keyPairId: kp?.id };
};

export const describeKeyPairs: Action = ({ region, p }) => {
  const names = p.list('KeyName');
  const ids = p.list('KeyPairId');
  let keys = [...region.keyPairs.values()];
  for (const n of names) if (!keys.some((k) => k.name === n)) throw new AwsError('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
  for (const i of ids) if (!keys.some((k) => k.id === i)) throw new AwsError('InvalidKeyPair.NotFound', `The key pair ID '${i}' does not exist`);
  if (names.length > 0) keys = keys.filter((k) => names.includes(k.name));
  if (ids.length > 0) keys = keys.filter((k) => ids.includes(k.id));
  keys = applyFilters(keys, readFilters(p), KEY_FILTERS, (k) => k.tags);
  const withPublic = p.bool('IncludePublicKey') ?? false;
  return {
    keySet: keys.map((k) => ({ keyPairId: k.id, keyName: k.name, keyFingerprint: k.fingerprint, keyType: k.type, createTime: k.created, publicKey: withPublic ? k.publicKey : undefined, tagSet: tagSet(k.tags) })),
  };
};

function keyName(name: string): string {
  if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) throw invalidValue('KeyName', name, 'Key pair names are up to 255 ASCII characters.');
  return name;
}

function rejectDuplicate(keys: Iterable<KeyPair>, name: string): void {
  for (const k of keys) if (k.name === name) throw new AwsError('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
}

function openSshPublic(pem: string): string {
  const k = ssh2.utils.parseKey(pem);
  if (k instanceof Error || Array.isArray(k)) throw new Error('cannot read the generated key');
  return `${k.type} ${k.getPublicSSH().toString('base64')}`;
}

function colonHex(b: Buffer): string {
  return b.toString('hex').match(/../g)?.join(':') ?? '';
}

function sha256Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(/\s+/)[1] ?? '', 'base64');
  return createHash('sha256').update(blob).digest('base64');
}
