// Packer's built-in HTTP server for installers and cloud-init: http_directory and
// http_content served read-only on 127.0.0.1 (QEMU's user network shows it to the guest as
// 10.0.2.2), on a port from [min, max]. Paths are resolved inside the directory; nothing
// outside it is served, whatever the request says.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { EnvironmentError } from '../core/errors.js';

export interface HttpServerOptions {
  directory: string | null;
  /** URL path ("/user-data") -> body; wins over the directory. */
  content: Record<string, string>;
  portMin: number;
  portMax: number;
}

export interface HttpServerHandle {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const content = new Map(Object.entries(opts.content).map(([k, v]) => [k.startsWith('/') ? k : `/${k}`, v]));
  const root = opts.directory === null ? null : await realpath(opts.directory);
  const server = http.createServer((req, res) => {
    void serve(req, res, content, root);
  });
  for (let port = opts.portMin; port <= opts.portMax; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      const a = server.address();
      const bound = typeof a === 'object' && a ? a.port : port;
      return {
        port: bound,
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      };
    }
  }
  throw new EnvironmentError(`http server: no free port on 127.0.0.1 between ${opts.portMin} and ${opts.portMax}; widen http_port_min/http_port_max`);
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, content: Map<string, string>, root: string | null): Promise<void> {
  const notFound = (): void => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405);
    res.end();
    return;
  }
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return notFound();
  }
  const body = content.get(urlPath);
  if (body !== undefined) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (root === null) return notFound();
  try {
    const file = await realpath(path.join(root, path.normalize(`/${urlPath}`)));
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) return notFound();
    const st = await stat(file);
    if (!st.isFile()) return notFound();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  } catch {
    notFound();
  }
}
