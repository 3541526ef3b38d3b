// Packer's `http` data source, its definition: one HTTP request whose response the template
// reads as data.http.NAME.body. The request itself is in index.ts, imported only when a
// build executes it; `validate` types the result from `outputs` without a request.
import { z } from 'zod';
import { prepareConfig } from '../../src/core/config.js';
import type { DataSourceDefinition, RawConfig } from '../../src/core/plugin.js';

/** Packer's list, in its order; anything else is an error there too. */
export const HTTP_METHODS = ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const;

export const httpDataConfigSchema = z.object({
  url: z.string().min(1, 'The `url` must be specified.'),
  method: z.enum(HTTP_METHODS).default('GET'),
  request_headers: z.record(z.string()).default({}),
  request_body: z.string().default(''),
});

export type HttpDataConfig = z.output<typeof httpDataConfigSchema>;

export const httpDataDefinition: DataSourceDefinition<HttpDataConfig> = {
  kind: 'data-source',
  name: 'http',
  configSchema: httpDataConfigSchema,
  // Packer's outputs are url, body and request_headers (which holds the *response* headers,
  // under that name since Packer 1.7); response_headers and status_code are imgbuild's
  // clearer names for what a template may want, beside Packer's.
  outputs: ['url', 'body', 'request_headers', 'response_headers', 'status_code'],
  prepare: (raw: RawConfig) => prepareConfig(httpDataConfigSchema, raw),
};
