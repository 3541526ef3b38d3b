// OCI image-spec types (manifest, index, config, descriptor) as zod schemas: everything read
// from disk or a registry is validated; unknown fields are kept so nothing is lost on rewrite.
import { z } from 'zod';
import { OciError } from './errors.js';

const digestSchema = z.string().regex(/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/, 'invalid digest');

export const platformSchema = z
  .object({
    architecture: z.string(),
    os: z.string(),
    'os.version': z.string().optional(),
    'os.features': z.array(z.string()).optional(),
    variant: z.string().optional(),
  })
  .passthrough();
export type Platform = z.infer<typeof platformSchema>;

export const descriptorSchema = z
  .object({
    mediaType: z.string(),
    digest: digestSchema,
    size: z.number().int().nonnegative(),
    urls: z.array(z.string()).optional(),
    annotations: z.record(z.string()).optional(),
    platform: platformSchema.optional(),
    artifactType: z.string().optional(),
  })
  .passthrough();
export type Descriptor = z.infer<typeof descriptorSchema>;

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    config: descriptorSchema,
    layers: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: z.record(z.string()).optional(),
  })
  .passthrough();
export type Manifest = z.infer<typeof manifestSchema>;

export const indexSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    manifests: z.array(descriptorSchema),
    annotations: z.record(z.string()).optional(),
  })
  .passthrough();
export type ImageIndex = z.infer<typeof indexSchema>;

export const historySchema = z
  .object({
    created: z.string().optional(),
    created_by: z.string().optional(),
    author: z.string().optional(),
    comment: z.string().optional(),
    empty_layer: z.boolean().optional(),
  })
  .passthrough();
export type History = z.infer<typeof historySchema>;

export const containerConfigSchema = z
  .object({
    User: z.string().optional(),
    ExposedPorts: z.record(z.object({}).passthrough()).optional(),
    Env: z.array(z.string()).optional(),
    Entrypoint: z.array(z.string()).nullable().optional(),
    Cmd: z.array(z.string()).nullable().optional(),
    Volumes: z.record(z.object({}).passthrough()).optional(),
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string()).optional(),
    StopSignal: z.string().optional(),
  })
  .passthrough();
export type ContainerConfig = z.infer<typeof containerConfigSchema>;

export const imageConfigSchema = z
  .object({
    created: z.string().optional(),
    author: z.string().optional(),
    architecture: z.string(),
    os: z.string(),
    'os.version': z.string().optional(),
    variant: z.string().optional(),
    config: containerConfigSchema.optional(),
    rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(digestSchema) }).passthrough(),
    history: z.array(historySchema).optional(),
  })
  .passthrough();
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/** Parses JSON bytes with a schema; `what` names the object in the error. */
export function parseJson<T extends z.ZodTypeAny>(schema: T, data: Buffer | string, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString());
  } catch (e) {
    throw new OciError('E_OCI_INVALID', `${what}: invalid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new OciError('E_OCI_INVALID', `${what}: ${where}${issue?.message ?? 'invalid'}`);
  }
  return r.data as z.infer<T>;
}
