// OCI content digests. Only sha256 is produced; sha512 is accepted when reading because the
// image-spec allows it and registries may serve it.
import { createHash, type Hash } from 'node:crypto';
import { OciError } from './errors.js';

export type Digest = `${'sha256' | 'sha512'}:${string}`;

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

export function parseDigest(s: string): { algorithm: 'sha256' | 'sha512'; hex: string; digest: Digest } {
  if (!isDigest(s)) throw new OciError('E_OCI_DIGEST', `invalid digest "${s}"`);
  const [algorithm, hex] = s.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex, digest: s };
}

export function sha256(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A running hash that also counts bytes, so a stream is hashed and sized in one pass. */
export class Digester {
  private readonly hash: Hash;
  size = 0;
  constructor(readonly algorithm: 'sha256' | 'sha512' = 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** Short form for messages: `sha256:0123456789ab`. */
export function shortDigest(d: string): string {
  return d.length > 19 ? d.slice(0, 19) : d;
}
