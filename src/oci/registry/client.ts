// OCI distribution client on fetch: pull (manifest by tag or digest, index resolved by
// platform, blobs streamed into a blob store and verified) and push (HEAD, optional cross-
// repo mount, monolithic or chunked upload, manifest PUT). Errors say what failed, where,
// and what to do.
import { Readable } from 'node:stream';
import type { BlobStore } from '../blob-store.js';
import { hostPlatform } from '../config.js';
import { sha256, shortDigest } from '../digest.js';
import { describeCause, OciError } from '../errors.js';
import type { Descriptor, Platform } from '../image.js';
import type { OciLayout, ResolvedImage } from '../layout.js';
import { parseManifest, selectPlatform } from '../manifest.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { basicHeader, fetchToken, parseChallenge } from './auth.js';
import { credentialsFromDockerConfig, type Credentials } from './credentials.js';
import { apiHost, formatReference, isLocalRegistry, type ImageReference } from './reference.js';

export interface RegistryOptions {
  /** Registries reached over plain http (localhost and 127.0.0.1 always are). */
  insecure?: string[];
  /** Explicit credentials per registry host; else ~/.docker/config.json. */
  credentials?: Record<string, { username: string; password: string }>;
  signal?: AbortSignal;
  /** Upload in PATCH chunks of this size; default one monolithic PUT. */
  chunkSize?: number;
}

export interface PullResult {
  manifestDescriptor: Descriptor;
  /** Digest of the index when the reference pointed at one. */
  indexDigest?: string;
}

export class RegistryClient {
  private readonly auth = new Map<string, string>();
  private readonly creds = new Map<string, Credentials | null>();

  constructor(private readonly opts: RegistryOptions = {}) {}

  /** Pulls `ref` into `layout`, tagged `refName`; only the `platform` manifest is kept. */
  async pull(ref: ImageReference, layout: OciLayout, opts: { platform?: Platform; refName?: string } = {}): Promise<PullResult> {
    const platform = opts.platform ?? hostPlatform();
    const name = formatReference(ref);
    const top = await this.getManifest(ref, ref.digest ?? (ref.tag as string));
    let bytes = top.bytes;
    let mediaType = top.mediaType;
    let indexDigest: string | undefined;
    let parsed = parseManifest(bytes, mediaType, `manifest ${name}`);
    if (parsed.kind === 'index') {
      indexDigest = top.digest;
      const d = selectPlatform(parsed.index, platform, name);
      const m = await this.getManifest(ref, d.digest);
      bytes = m.bytes;
      mediaType = m.mediaType;
      parsed = parseManifest(bytes, mediaType, `manifest ${name}@${shortDigest(d.digest)}`);
    }
    if (parsed.kind !== 'manifest') throw new OciError('E_OCI_INVALID', `manifest ${name}: index points at another index`);
    const m = parsed.manifest;
    for (const d of [m.config, ...m.layers]) await this.fetchBlob(ref, d, layout.blobs);
    await layout.blobs.put(bytes, 'manifest');
    const desc: Descriptor = { mediaType: parsed.mediaType, digest: sha256(bytes), size: bytes.length };
    const cfg = JSON.parse((await layout.blobs.read(m.config.digest)).toString()) as { os?: string; architecture?: string; variant?: string };
    const plat: Platform = { os: cfg.os ?? platform.os, architecture: cfg.architecture ?? platform.architecture };
    if (cfg.variant) plat.variant = cfg.variant;
    await layout.addManifest({ ...desc, platform: plat }, opts.refName);
    return indexDigest === undefined ? { manifestDescriptor: desc } : { manifestDescriptor: desc, indexDigest };
  }

  /** Pushes an image; returns the manifest digest the registry stored. */
  async push(image: ResolvedImage, ref: ImageReference, opts: { mountFrom?: string[] } = {}): Promise<string> {
    for (const d of [...image.manifest.layers, image.manifest.config]) await this.pushBlob(ref, d, image.blobs, opts.mountFrom ?? []);
    const target = ref.tag ?? ref.digest ?? image.manifestDescriptor.digest;
    const res = await this.request(ref, 'push', `/manifests/${target}`, {
      method: 'PUT',
      headers: { 'content-type': image.manifestDescriptor.mediaType },
      body: image.manifestBytes,
    });
    if (res.status !== 201 && res.status !== 200) throw await this.failure(res, `put manifest ${formatReference(ref)}`);
    const digest = sha256(image.manifestBytes);
    const got = res.headers.get('docker-content-digest');
    if (got && got !== digest) throw new OciError('E_OCI_DIGEST_MISMATCH', `put manifest ${formatReference(ref)}: registry stored ${shortDigest(got)}, sent ${shortDigest(digest)}`);
    return digest;
  }

  async getManifest(ref: ImageReference, tagOrDigest: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const name = `${ref.registry}/${ref.repository}${tagOrDigest.includes(':') ? '@' : ':'}${tagOrDigest}`;
    const res = await this.request(ref, 'pull', `/manifests/${tagOrDigest}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status === 404) {
      await res.body?.cancel();
      throw new OciError('E_OCI_UNKNOWN_IMAGE', `manifest unknown: ${name}`);
    }
    if (!res.ok) throw await this.failure(res, `get manifest ${name}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256(bytes);
    if (tagOrDigest.includes(':') && digest !== tagOrDigest) {
      throw new OciError('E_OCI_DIGEST_MISMATCH', `get manifest ${name}: content has digest ${shortDigest(digest)}`);
    }
    return { bytes, mediaType: res.headers.get('content-type') ?? '', digest };
  }

  private async fetchBlob(ref: ImageReference, d: Descriptor, blobs: BlobStore): Promise<void> {
    if (await blobs.has(d.digest)) return;
    const what = `blob ${ref.registry}/${ref.repository}@${shortDigest(d.digest)}`;
    const res = await this.request(ref, 'pull', `/blobs/${d.digest}`, {});
    if (res.status === 404) throw new OciError('E_OCI_BLOB_UNKNOWN', `blob unknown: ${what}`);
    if (!res.ok || !res.body) throw await this.failure(res, `get ${what}`);
    try {
      await blobs.putStream(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), { digest: d.digest, size: d.size }, what);
    } catch (e) {
      if (e instanceof OciError) throw e;
      throw new OciError('E_OCI_REGISTRY', `get ${what}: download interrupted: ${describeCause(e)}`, { source: 'environment', cause: e });
    }
  }

  private async pushBlob(ref: ImageReference, d: Descriptor, blobs: BlobStore, mountFrom: string[]): Promise<void> {
    const what = `blob ${shortDigest(d.digest)} to ${ref.registry}/${ref.repository}`;
    const head = await this.request(ref, 'push', `/blobs/${d.digest}`, { method: 'HEAD' });
    if (head.ok) return;
    for (const from of mountFrom) {
      const res = await this.request(ref, 'push', `/blobs/uploads/?mount=${encodeURIComponent(d.digest)}&from=${encodeURIComponent(from)}`, { method: 'POST' });
      await res.body?.cancel();
      if (res.status === 201) return;
    }
    const start = await this.request(ref, 'push', '/blobs/uploads/', { method: 'POST' });
    await start.body?.cancel();
    if (start.status !== 202) throw await this.failure(start, `put ${what}`);
    let location = this.location(ref, start);
    const chunk = this.opts.chunkSize;
    if (chunk !== undefined && d.size > chunk) {
      let offset = 0;
      let buf: Buffer[] = [];
      let len = 0;
      const send = async (): Promise<void> => {
        const body = Buffer.concat(buf, len);
        const res = await this.request(ref, 'push', location, {
          method: 'PATCH',
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + len - 1}` },
          body,
        });
        await res.body?.cancel();
        if (res.status !== 202) throw await this.failure(res, `put ${what}`);
        location = this.location(ref, res);
        offset += len;
        buf = [];
        len = 0;
      };
      for await (const c of blobs.readVerified(d.digest)) {
        buf.push(c);
        len += c.length;
        if (len >= chunk) await send();
      }
      if (len > 0) await send();
      const res = await this.request(ref, 'push', withDigest(location, d.digest), { method: 'PUT', headers: { 'content-length': '0' } });
      await res.body?.cancel();
      if (res.status !== 201) throw await this.failure(res, `put ${what}`);
      return;
    }
    // fetch reports a failing body as a network error: keep ours (a local blob that no
    // longer matches its digest) to report it as what it is.
    let bodyError: unknown = null;
    const body = (async function* () {
      try {
        yield* blobs.readVerified(d.digest);
      } catch (e) {
        bodyError = e;
        throw e;
      }
    })();
    const res = await this.request(ref, 'push', withDigest(location, d.digest), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(d.size) },
      body: Readable.toWeb(Readable.from(body)) as ReadableStream,
      duplex: 'half',
    }).catch((e: unknown) => {
      throw bodyError ?? e;
    });
    await res.body?.cancel();
    if (res.status !== 201) throw await this.failure(res, `put ${what}`);
  }

  private location(ref: ImageReference, res: Response): string {
    const loc = res.headers.get('location');
    if (!loc) throw new OciError('E_OCI_REGISTRY', `${ref.registry}: upload response without Location`);
    return new URL(loc, this.base(ref)).toString();
  }

  private base(ref: ImageReference): string {
    const host = apiHost(ref.registry);
    const insecure = isLocalRegistry(ref.registry) || (this.opts.insecure ?? []).includes(ref.registry);
    return `${insecure ? 'http' : 'https'}://${host}`;
  }

  /**
   * One API call, authenticated on demand: on a 401 the challenge is answered once and the
   * call retried. `path` is relative to /v2/<repo> or an absolute upload URL.
   */
  private async request(
    ref: ImageReference,
    action: 'pull' | 'push',
    path: string,
    init: RequestInit & { duplex?: 'half' },
  ): Promise<Response> {
    const url = /^https?:\/\//.test(path) ? path : `${this.base(ref)}/v2/${ref.repository}${path}`;
    const scope = `repository:${ref.repository}:${action === 'push' ? 'pull,push' : 'pull'}`;
    const key = `${ref.registry} ${scope}`;
    // A streamed body cannot be sent twice: authenticate with a cheap call first.
    const streamed = init.body !== undefined && !(init.body instanceof Buffer) && typeof init.body !== 'string';
    if (streamed && !this.auth.has(key)) await (await this.request(ref, action, '/blobs/uploads/', { method: 'HEAD' })).body?.cancel();
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      const a = this.auth.get(key);
      if (a) headers.set('authorization', a);
      let res: Response;
      try {
        res = await fetch(url, { ...init, headers, redirect: 'follow', ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
      } catch (e) {
        if (e instanceof Error && e.name === 'AbortError') throw e;
        throw this.unreachable(ref, e);
      }
      if (res.status !== 401 || attempt > 0) {
        if (res.status === 401) throw await this.authFailure(ref, res, scope);
        return res;
      }
      await res.body?.cancel();
      const header = await this.answer(ref, res, scope);
      if (header === null) throw await this.authFailure(ref, res, scope);
      this.auth.set(key, header);
    }
  }

  private async answer(ref: ImageReference, res: Response, scope: string): Promise<string | null> {
    const ch = parseChallenge(res.headers.get('www-authenticate') ?? '');
    const creds = await this.credentialsFor(ref.registry);
    if (ch?.scheme === 'bearer') return `Bearer ${await fetchToken(ch, scope, creds, ref.registry, this.opts.signal)}`;
    if (ch?.scheme === 'basic' && creds) return basicHeader(creds);
    return null;
  }

  private async credentialsFor(registry: string): Promise<Credentials | null> {
    if (this.creds.has(registry)) return this.creds.get(registry) ?? null;
    const explicit = this.opts.credentials?.[registry];
    const c = explicit ? { ...explicit, source: 'template login settings' } : await credentialsFromDockerConfig(registry);
    this.creds.set(registry, c);
    return c;
  }

  private async authFailure(ref: ImageReference, res: Response, scope: string): Promise<OciError> {
    await res.body?.cancel().catch(() => undefined);
    const creds = await this.credentialsFor(ref.registry);
    const scheme = parseChallenge(res.headers.get('www-authenticate') ?? '')?.scheme ?? 'unknown';
    const tried = creds ? `user "${creds.username}" from ${creds.source}` : 'anonymous access (no credentials in the template or ~/.docker/config.json)';
    return new OciError('E_OCI_AUTH', `authentication failed for ${ref.registry} (${scheme} auth, scope ${scope}): tried ${tried}`);
  }

  private unreachable(ref: ImageReference, e: unknown): OciError {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (e as Error).name;
    const url = new URL(this.base(ref));
    const port = url.port || (url.protocol === 'http:' ? '80' : '443');
    const tls = code.startsWith('ERR_SSL') || code === 'EPROTO' || (cause?.message ?? '').includes('SSL');
    const hint = tls
      ? `the registry may not speak TLS: list it in insecure registries to use http`
      : `check that the registry is running and listening on ${url.hostname}:${port}`;
    return new OciError('E_OCI_UNREACHABLE', `registry ${url.hostname}:${port} unreachable (${url.protocol.replace(':', '')}): ${code}${cause?.message ? ` ${cause.message}` : ''}; ${hint}`, {
      source: 'environment',
      cause: e,
    });
  }

  private async failure(res: Response, what: string): Promise<OciError> {
    let detail = '';
    try {
      const body = (await res.json()) as { errors?: Array<{ code?: string; message?: string }> };
      detail = (body.errors ?? []).map((x) => `${x.code ?? ''}${x.message ? ` ${x.message}` : ''}`.trim()).join('; ');
    } catch {
      // Not a distribution error body.
    }
    return new OciError('E_OCI_REGISTRY', `${what}: ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`, { source: 'environment' });
  }
}

function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}
