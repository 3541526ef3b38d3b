// The temporary key pair of a build: ed25519 (the default) or RSA (for clouds that accept
// nothing else) from node:crypto, written out in the encodings the rest of the world
// expects (an `authorized_keys` line for the guest; an "OPENSSH PRIVATE KEY" block, or
// PKCS#1 PEM for RSA, that ssh2 and ssh(1) both parse). The private key lives in memory;
// nothing here touches the disk.
import { generateKeyPairSync, randomBytes, createHash } from 'node:crypto';

export interface SshKeyPair {
  /** `ssh-ed25519 AAAA... comment`, one line, no newline. */
  publicKey: string;
  /** PEM-armoured openssh-key-v1, unencrypted. */
  privateKey: string;
  /** `SHA256:...` as ssh-keygen -l prints it, for messages. */
  fingerprint: string;
}

export type SshKeyType = 'ed25519' | 'rsa';

/** RSA keys shorter than this are refused by current OpenSSH servers' policies. */
export const RSA_DEFAULT_BITS = 3072;

export function generateSshKeyPair(type: SshKeyType, comment = 'imgbuild', rsaBits = RSA_DEFAULT_BITS): SshKeyPair {
  return type === 'rsa' ? generateRsaKeyPair(comment, rsaBits) : generateEd25519KeyPair(comment);
}

/** `ssh-rsa` public key; the private key as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"). */
export function generateRsaKeyPair(comment = 'imgbuild', bits = RSA_DEFAULT_BITS): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  const pubBlob = Buffer.concat([
    sshString('ssh-rsa'),
    sshString(mpint(Buffer.from(jwk.e ?? '', 'base64url'))),
    sshString(mpint(Buffer.from(jwk.n ?? '', 'base64url'))),
  ]);
  return {
    publicKey: `ssh-rsa ${pubBlob.toString('base64')} ${comment}`,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: fingerprintOf(pubBlob),
  };
}

export function generateEd25519KeyPair(comment = 'imgbuild'): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pubJwk = publicKey.export({ format: 'jwk' });
  const privJwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(pubJwk.x ?? '', 'base64url');
  const seed = Buffer.from(privJwk.d ?? '', 'base64url');
  const pubBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);

  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    // OpenSSH stores the 64-byte "secret key" of ref10: seed followed by the public key.
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  // Unencrypted keys are padded to the 8-byte cipher block size with 1, 2, 3...
  const pad: number[] = [];
  for (let i = 1; (secret.length + pad.length) % 8 !== 0; i++) pad.push(i);
  secret = Buffer.concat([secret, Buffer.from(pad)]);

  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(pubBlob),
    sshString(secret),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    publicKey: `ssh-ed25519 ${pubBlob.toString('base64')} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    fingerprint: fingerprintOf(pubBlob),
  };
}

function fingerprintOf(pubBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(pubBlob).digest('base64').replace(/=+$/, '')}`;
}

/** An SSH mpint: big-endian, with a zero byte in front when the top bit is set (positive). */
function mpint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return (v[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
}

function sshString(v: string | Buffer): Buffer {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return Buffer.concat([uint32(b.length), b]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
