// AWS Signature Version 4, checked the way AWS checks it: the request is signed again with
// the secret key the fake was started with (by the SDK's own signer, @smithy/signature-v4),
// over exactly the headers the client said it signed, and the two signatures compared. A
// wrong secret, a tampered body or a stale date fail as they fail on AWS.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError } from './errors.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Required on every request when set (x-amz-security-token). */
  sessionToken?: string;
}

export interface SignedScope {
  accessKeyId: string;
  region: string;
  service: string;
}

export interface IncomingSigned {
  method: string;
  /** Path as sent, before any decoding. */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60_000;

/** The scope of a valid signature; throws the AWS error the service would answer with. */
export async function verifySignature(req: IncomingSigned, creds: Credentials, now = new Date()): Promise<SignedScope> {
  const auth = req.headers['authorization'];
  if (auth === undefined) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 401);
  const m = AUTH_RE.exec(auth);
  if (!m) throw new AwsError('IncompleteSignature', `Authorization header is not a valid AWS4-HMAC-SHA256 signature: ${auth.slice(0, 60)}`, 400);
  const [, accessKeyId = '', day = '', region = '', service = '', signedHeaderList = '', signature = ''] = m;
  if (accessKeyId !== creds.accessKeyId) throw new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  const amzDate = req.headers['x-amz-date'];
  const signingDate = amzDate === undefined ? null : parseAmzDate(amzDate);
  if (!signingDate || !amzDate?.startsWith(day)) throw new AwsError('IncompleteSignature', 'The x-amz-date header is missing or does not match the credential scope date', 400);
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new AwsError('RequestExpired', `Request has expired: signed at ${amzDate}, server time ${now.toISOString()}`, 400);
  }
  if (creds.sessionToken !== undefined && req.headers['x-amz-security-token'] !== creds.sessionToken) {
    throw new AwsError('AuthFailure', 'The security token included in the request is invalid', 401);
  }
  const signed = signedHeaderList.split(';');
  if (!signed.includes('host')) throw new AwsError('IncompleteSignature', 'The host header must be signed', 400);
  const declaredHash = req.headers['x-amz-content-sha256'];
  // Streamed bodies (aws-chunked) are signed as that literal; their data is checked by size
  // when decoded (and by S3's own checksums).
  const literal = declaredHash === 'UNSIGNED-PAYLOAD' || declaredHash?.startsWith('STREAMING-');
  if (declaredHash !== undefined && !literal && declaredHash !== sha256Hex(req.body)) {
    throw new AwsError('XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed', 400);
  }

  const headers: Record<string, string> = {};
  for (const h of signed) headers[h] = req.headers[h] ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of req.query) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const [host, port] = (req.headers['host'] ?? '').split(':');
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: host ?? '',
    ...(port !== undefined ? { port: Number(port) } : {}),
    path: decodeURIComponent(req.rawPath),
    query,
    headers,
    body: req.body.length > 0 ? req.body : undefined,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: creds.secretAccessKey },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs the path as sent; every other service double-encodes it.
    uriEscapePath: service !== 's3',
  });
  const again = await signer.sign(request, { signingDate, signingRegion: region, signingService: service });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers['authorization']))?.[1] ?? '';
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      403,
    );
  }
  return { accessKeyId, region, service };
}

function parseAmzDate(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
