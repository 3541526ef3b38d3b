// Registry credentials: explicit ones first, else `auths` of Docker's config.json
// (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`), as `docker login` writes it.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for error messages ("~/.docker/config.json"). */
  source: string;
}

const dockerConfigSchema = z
  .object({
    auths: z
      .record(
        z
          .object({ auth: z.string().optional(), username: z.string().optional(), password: z.string().optional(), identitytoken: z.string().optional() })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

export function dockerConfigPath(): string {
  const dir = process.env['DOCKER_CONFIG'];
  return join(dir !== undefined && dir !== '' ? dir : join(homedir(), '.docker'), 'config.json');
}

/** Looks `registry` up in config.json; missing or unreadable config means no credentials. */
export async function credentialsFromDockerConfig(registry: string, path = dockerConfigPath()): Promise<Credentials | null> {
  let parsed;
  try {
    parsed = dockerConfigSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const want = normalizeHost(registry);
  for (const [key, entry] of Object.entries(parsed.data.auths ?? {})) {
    if (normalizeHost(key) !== want) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1), source: path };
    }
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password, source: path };
  }
  return null;
}

/** `https://index.docker.io/v1/`, `index.docker.io` and `docker.io` are all Docker Hub. */
function normalizeHost(key: string): string {
  const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
