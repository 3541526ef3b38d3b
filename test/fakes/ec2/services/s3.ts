// S3 for the import path: a real S3-compatible server from npm (s3rver: buckets, objects,
// multipart uploads, S3's XML) on an internal port, behind the local EC2's front, which
// checks each request's SigV4 signature (s3rver does not compute V4 signatures) and decodes
// the aws-chunked bodies the SDK v3 streams uploads in (s3rver does not speak them).
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { AwsError } from '../errors.js';
import type { Credentials } from '../sigv4.js';
import type { Reply } from '../reply.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: { getResourcePath(bucket: string, key: string, resource: string): string };
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

export interface LocalS3 {
  port: number;
  /** The file holding an object's bytes (the import tasks read it). */
  objectFile(bucket: string, key: string): string;
  close(): Promise<void>;
}

export async function startS3(directory: string, creds: Credentials): Promise<LocalS3> {
  const S3rver = require('s3rver') as S3rverClass;
  // s3rver knows access keys by its own registry; ours is added so it accepts our requests.
  const account = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  account.DUMMY_ACCOUNT.createKeyPair(creds.accessKeyId, creds.secretAccessKey);
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  const addr = await server.run();
  return {
    port: addr.port,
    objectFile: (bucket, key) => server.store.getResourcePath(bucket, key, 'object'),
    close: () => server.close(),
  };
}

/** Passes a verified request on to s3rver and its answer back. */
export function proxyS3(s3: LocalS3, method: string, rawUrl: string, headers: Record<string, string>, body: Buffer): Promise<Reply> {
  const out = { ...headers };
  let payload = body;
  if ((headers['content-encoding'] ?? '').split(',').map((s) => s.trim()).includes('aws-chunked') || (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
    payload = decodeAwsChunked(body);
    const declared = Number(headers['x-amz-decoded-content-length'] ?? payload.length);
    if (declared !== payload.length) throw new AwsError('IncompleteBody', `The request body is ${payload.length} bytes, x-amz-decoded-content-length says ${declared}`);
    const encodings = (headers['content-encoding'] ?? '').split(',').map((s) => s.trim()).filter((e) => e && e !== 'aws-chunked');
    if (encodings.length > 0) out['content-encoding'] = encodings.join(',');
    else delete out['content-encoding'];
    out['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    delete out['x-amz-decoded-content-length'];
    delete out['x-amz-trailer'];
  }
  out['content-length'] = String(payload.length);
  delete out['transfer-encoding'];
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s3.port, method, path: rawUrl, headers: out }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'connection' && k !== 'transfer-encoding') h[k] = v;
        resolve({ status: res.statusCode ?? 500, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** `<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n` -> the data. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) throw new AwsError('IncompleteBody', 'aws-chunked body ends inside a chunk header');
    const size = Number.parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new AwsError('InvalidRequest', 'aws-chunked body has a malformed chunk size');
    pos = eol + 2;
    if (size === 0) return Buffer.concat(parts);
    if (pos + size > body.length) throw new AwsError('IncompleteBody', 'aws-chunked body is shorter than its chunks say');
    parts.push(body.subarray(pos, pos + size));
    pos += size + 2;
  }
}

export function s3Dir(stateDir: string): string {
  return path.join(stateDir, 's3');
}
