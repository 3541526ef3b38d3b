// The distribution auth dance: a 401 carries a WWW-Authenticate challenge; Basic means send
// the credentials, Bearer means fetch a token from the realm (with the credentials when we
// have them, anonymously otherwise) for the scope, then retry.
import { OciError } from '../errors.js';
import type { Credentials } from './credentials.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge | null {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2] ?? ''); p; p = re.exec(m[2] ?? '')) {
    params[(p[1] ?? '').toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Fetches a bearer token; throws an auth error saying what was tried. */
export async function fetchToken(ch: Challenge, scope: string, creds: Credentials | null, registry: string, signal?: AbortSignal): Promise<string> {
  const realm = ch.params['realm'];
  if (!realm) throw new OciError('E_OCI_AUTH', `authenticate to ${registry}: bearer challenge without realm`);
  const url = new URL(realm);
  if (ch.params['service']) url.searchParams.set('service', ch.params['service']);
  for (const s of scope.split(' ')) if (s) url.searchParams.append('scope', s);
  const headers: Record<string, string> = {};
  if (creds) headers['authorization'] = basicHeader(creds);
  let res: Response;
  try {
    res = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  } catch (e) {
    throw new OciError('E_OCI_AUTH', `authenticate to ${registry}: token server ${url.host} unreachable: ${String((e as Error).cause ?? e)}`, { source: 'environment' });
  }
  if (!res.ok) {
    throw new OciError(
      'E_OCI_AUTH',
      `authentication failed for ${registry}: token server ${url.host} answered ${res.status} for ${creds ? `user "${creds.username}" (from ${creds.source})` : 'anonymous access'}, scope ${scope}`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : null;
  if (!token) throw new OciError('E_OCI_AUTH', `authenticate to ${registry}: token server ${url.host} returned no token`);
  return token;
}
