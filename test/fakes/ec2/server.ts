// The local EC2's HTTP front: one port for every AWS service the builders call, as
// AWS_ENDPOINT_URL points the SDK at one URL. Each request's SigV4 signature is checked, its
// credential scope names the service and region, and the request goes to that service's
// protocol: EC2 and STS speak the Query protocol (form in, XML out), Secrets Manager and SSM
// JSON 1.1, the EBS direct API REST/JSON. /_fake/* is the test's side door (inventory,
// faults, delays, seeds), unsigned and never reached by the SDK.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ec2Cloud } from './cloud.js';
import { AwsError } from './errors.js';
import { EC2_ACTIONS } from './actions/index.js';
import { handleControl } from './control.js';
import { handleEbs } from './services/ebs.js';
import { handleJsonService, JSON_SERVICES } from './services/json.js';
import { proxyS3 } from './services/s3.js';
import { handleSts } from './services/sts.js';
import { newRequestId } from './model.js';
import { Params, parseQuery } from './query.js';
import { verifySignature, type SignedScope } from './sigv4.js';
import { ec2ErrorDocument, xmlDocument } from './xml.js';
import type { Reply } from './reply.js';


export interface Ec2Server {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024 * 1024;

export async function startEc2Server(cloud: Ec2Cloud, opts: { host?: string; port?: number } = {}): Promise<Ec2Server> {
  const server = http.createServer((req, res) => {
    void serve(cloud, req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(cloud: Ec2Cloud, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = newRequestId();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    res.writeHead(413).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://local');
  let reply: Reply | 'reset';
  if (url.pathname.startsWith('/_fake/')) {
    reply = await handleControl(cloud, req.method ?? 'GET', url, body);
  } else {
    reply = await handleAws(cloud, req, url, body, requestId);
  }
  if (reply === 'reset') {
    req.socket.destroy();
    return;
  }
  res.writeHead(reply.status, { 'x-amzn-requestid': requestId, ...reply.headers });
  res.end(reply.body);
}

async function handleAws(cloud: Ec2Cloud, req: http.IncomingMessage, url: URL, body: Buffer, requestId: string): Promise<Reply | 'reset'> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(headers['authorization'] ?? '')?.[1] ?? 'ec2';
  let scope: SignedScope;
  try {
    scope = await verifySignature({ method: req.method ?? 'GET', rawPath: (req.url ?? '/').split('?')[0] ?? '/', query: url.searchParams, headers, body }, cloud.credentials);
    cloud.region(scope.region);
  } catch (e) {
    return errorReply(service, authError(service, e), requestId);
  }
  try {
    if (scope.service === 'ec2') return await handleEc2(cloud, scope, body, requestId);
    if (scope.service === 'sts') return handleSts(cloud, body, requestId);
    if (scope.service === 's3') {
      if (!cloud.s3) throw new AwsError('InvalidAction', 'S3 is not running');
      const fault = cloud.faults.forAction(`s3:${req.method ?? 'GET'}`);
      if (fault === 'reset') return 'reset';
      if (fault) throw fault;
      return await proxyS3(cloud.s3, req.method ?? 'GET', req.url ?? '/', headers, body);
    }
    if (scope.service === 'ebs') return await handleEbs(cloud, scope.region, req.method ?? 'GET', url, headers, body);
    if (JSON_SERVICES.has(scope.service)) return await handleJsonService(cloud, scope, headers, body);
    throw new AwsError('InvalidAction', `The local EC2 does not serve the '${scope.service}' service`, 400);
  } catch (e) {
    return errorReply(scope.service, e, requestId);
  }
}

async function handleEc2(cloud: Ec2Cloud, scope: SignedScope, body: Buffer, requestId: string): Promise<Reply | 'reset'> {
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action') ?? '';
  const handler = EC2_ACTIONS[action];
  if (!handler) throw new AwsError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`);
  const fault = cloud.faults.forAction(action);
  if (fault === 'reset') return 'reset';
  if (fault) throw fault;
  const result = await handler({ cloud, region: cloud.region(scope.region), p: new Params(parseQuery(form)) });
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: xmlDocument(`${action}Response`, { requestId, ...result }) };
}

/** EC2 says AuthFailure for a bad key or signature; the other services name them apart. */
function authError(service: string, e: unknown): unknown {
  if (!(e instanceof AwsError)) return e;
  const unknownKey = e.code === 'AuthFailure' && e.message.startsWith('AWS was not able to validate the provided access credentials') && !e.message.includes('region');
  const badSignature = e.code === 'SignatureDoesNotMatch';
  if (service === 'ec2') return badSignature ? new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401) : e;
  if (service === 'sts' && unknownKey) return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  if (service === 's3' && unknownKey) return new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
  if (service === 's3') return e;
  if (service !== 'sts' && unknownKey) return new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
  if (service !== 'sts' && badSignature) return new AwsError('InvalidSignatureException', e.message, 400);
  return e;
}

export function errorReply(service: string, e: unknown, requestId: string): Reply {
  const err = e instanceof AwsError ? e : new AwsError('InternalError', `An internal error has occurred: ${e instanceof Error ? e.message : String(e)}`, 500);
  if (service === 'ec2') return { status: err.status, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: ec2ErrorDocument(err.code, err.message, requestId) };
  if (service === 's3') {
    return { status: err.status, headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${err.code}</Code><Message>${escape(err.message)}</Message><RequestId>${requestId}</RequestId></Error>` };
  }
  if (service === 'sts') {
    const type = err.status >= 500 ? 'Receiver' : 'Sender';
    return {
      status: err.status,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${err.code}</Code><Message>${escape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return { status: err.status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': err.code }, body: JSON.stringify({ __type: err.code, message: err.message }) };
}

function escape(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
