// Hashing and crypto functions. Digests are over the UTF-8 bytes of a string (or a file's
// bytes); bcrypt and uuidv4 are random, hence impure.
import { constants, createHash, createPrivateKey, privateDecrypt, randomUUID, type KeyObject } from 'node:crypto';
import { lazyModule } from './lazy.js';

import { decodeBase64Strict } from './shared.js';
import { readFileBytes } from './filesystem.js';
import { define, type FunctionDef } from './types.js';

const bcrypt = lazyModule<typeof import('bcryptjs')>('bcryptjs');

const str = { name: 'str', type: 'string' };
const pathParam = { name: 'path', type: 'string' };

type Algo = 'md5' | 'sha1' | 'sha256' | 'sha512';

const hex = (algo: Algo, data: Buffer | string): string => createHash(algo).update(data).digest('hex');
const b64 = (algo: Algo, data: Buffer | string): string => createHash(algo).update(data).digest('base64');

export const cryptoFunctions: FunctionDef[] = [
  ...(['md5', 'sha1', 'sha256', 'sha512'] as const).map((algo) =>
    define({ name: algo, params: [str] }, (a) => hex(algo, Buffer.from(a.str(0), 'utf8'))),
  ),
  ...(['md5', 'sha1', 'sha256', 'sha512'] as const).map((algo) =>
    define({ name: `file${algo}`, params: [pathParam], impure: true }, (a, ctx) => hex(algo, readFileBytes(a, 0, ctx).bytes)),
  ),
  define({ name: 'base64sha256', params: [str] }, (a) => b64('sha256', Buffer.from(a.str(0), 'utf8'))),
  define({ name: 'base64sha512', params: [str] }, (a) => b64('sha512', Buffer.from(a.str(0), 'utf8'))),
  define({ name: 'bcrypt', params: [str], variadic: { name: 'cost', type: 'number' }, impure: true }, (a) => {
    if (a.length > 2) throw a.fail('bcrypt() takes no more than two arguments');
    const input = a.str(0);
    let cost = a.has(1) ? a.int(1) : 10;
    // Go's bcrypt silently uses the default cost below the minimum, and rejects above 31.
    if (cost < 4) cost = 10;
    if (cost > 31) {
      throw a.fail(`error occured generating password crypto/bcrypt: cost ${cost} is outside allowed range (4,31)`);
    }
    if (Buffer.byteLength(input, 'utf8') > 72) {
      throw a.fail('error occured generating password bcrypt: password length exceeds 72 bytes');
    }
    return bcrypt().hashSync(input, bcrypt().genSaltSync(cost));
  }),
  define({ name: 'rsadecrypt', params: [{ name: 'ciphertext', type: 'string' }, { name: 'privatekey', type: 'string' }] }, (a) => {
    const s = a.str(0);
    const ciphertext = decodeBase64Strict(s);
    if (ciphertext === null) throw a.fail(`failed to decode input ${JSON.stringify(s)}: cipher text must be base64-encoded`);
    const pem = a.str(1);
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw a.fail('invalid private key: ssh: no key found');
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (e) {
      throw a.fail(`invalid private key: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (key.asymmetricKeyType !== 'rsa') throw a.fail(`invalid private key type ${key.asymmetricKeyType ?? 'unknown'}`);
    const out = decryptPKCS1v15(key, ciphertext);
    if (out === null) throw a.fail('failed to decrypt: crypto/rsa: decryption error');
    return out.toString('utf8');
  }),
  define({ name: 'uuidv4', params: [], impure: true }, () => randomUUID()),
  define({ name: 'uuidv5', params: [{ name: 'namespace', type: 'string' }, { name: 'name', type: 'string' }] }, (a) => {
    const nsName = a.str(0);
    const ns = NAMESPACES[nsName] ?? parseUUID(nsName);
    if (typeof ns === 'string') throw a.fail(`uuidv5() doesn't support namespace ${nsName} (${ns})`);
    return uuidv5(ns, a.str(1));
  }),
];

const NAMESPACES: Record<string, Buffer> = {
  dns: uuidBytes('6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
  url: uuidBytes('6ba7b811-9dad-11d1-80b4-00c04fd430c8'),
  oid: uuidBytes('6ba7b812-9dad-11d1-80b4-00c04fd430c8'),
  x500: uuidBytes('6ba7b814-9dad-11d1-80b4-00c04fd430c8'),
};

function uuidBytes(s: string): Buffer {
  return Buffer.from(s.replaceAll('-', ''), 'hex');
}

/** google/uuid's Parse: the plain, urn:uuid:, {braced} and 32-hex forms; its error texts. */
function parseUUID(s: string): Buffer | string {
  let body: string;
  switch (s.length) {
    case 36:
      body = s;
      break;
    case 45:
      if (s.slice(0, 9).toLowerCase() !== 'urn:uuid:') return `invalid urn prefix: ${JSON.stringify(s.slice(0, 9))}`;
      body = s.slice(9);
      break;
    case 38:
      if (!s.startsWith('{') || !s.endsWith('}')) return 'invalid bracketed UUID format';
      body = s.slice(1, -1);
      break;
    case 32:
      return /^[0-9a-fA-F]{32}$/.test(s) ? Buffer.from(s, 'hex') : 'invalid UUID format';
    default:
      return `invalid UUID length: ${s.length}`;
  }
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(body)) {
    return 'invalid UUID format';
  }
  return uuidBytes(body);
}

/**
 * RSA PKCS #1 v1.5 decryption (Go's rsa.DecryptPKCS1v15). Node 20 refuses this padding in
 * privateDecrypt (CVE-2023-46809), so we decrypt raw and check the padding ourselves; like
 * Go, every failure is the same undistinguished error.
 */
function decryptPKCS1v15(key: KeyObject, ciphertext: Buffer): Buffer | null {
  const k = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (k < 11 || ciphertext.length !== k) return null;
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return null;
  }
  if (em[0] !== 0 || em[1] !== 2) return null;
  const sep = em.indexOf(0, 2);
  // At least eight non-zero padding bytes precede the separator.
  if (sep < 10) return null;
  return em.subarray(sep + 1);
}

/** RFC 4122 name-based UUID, SHA-1 (version 5). */
function uuidv5(ns: Buffer, name: string): string {
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest().subarray(0, 16);
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
