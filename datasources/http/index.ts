// The `http` data source, whole: its definition plus the request, as Packer's Execute: headers set as given, the
// body sent when not empty, redirects followed, a status outside 2xx an error naming the
// code, and a warning when the answer is not text (the body is read as UTF-8 regardless).
import { BuildError, CancelledError, errorMessage } from '../../src/core/errors.js';
import type { DataSource, DataSourceContext } from '../../src/core/plugin.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { httpDataDefinition, type HttpDataConfig } from './definition.js';

export const httpDataSource: DataSource<HttpDataConfig> = {
  ...httpDataDefinition,
  async execute(config: HttpDataConfig, ctx: DataSourceContext): Promise<ValueObject> {
    let response: Response;
    try {
      response = await fetch(config.url, {
        method: config.method,
        headers: config.request_headers,
        ...(config.request_body !== '' ? { body: config.request_body } : {}),
        redirect: 'follow',
        signal: ctx.signal,
      });
    } catch (e) {
      if (ctx.signal.aborted) throw new CancelledError(`${config.method} ${config.url} cancelled`);
      throw new BuildError(`${config.method} ${config.url}: ${requestFailure(e)}`, { code: 'E_DATA_HTTP' });
    }
    const body = await response.text();
    if (response.status < 200 || response.status >= 300) {
      throw new BuildError(`HTTP request error. Response code: ${response.status} (${config.method} ${config.url})`, { code: 'E_DATA_HTTP' });
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!isText(contentType)) {
      ctx.warn(`Content-Type is not recognized as a text type, got "${contentType}". If the content is binary data, it may not be handled properly.`);
    }
    const headers: ValueObject = {};
    // Headers' iteration joins repeated headers with ", " (RFC 9110), as Packer does; Go
    // spells names canonically (Content-Type), fetch lowercases them: Packer's form is kept.
    for (const [name, value] of response.headers) headers[canonicalHeader(name)] = value;
    return { url: config.url, body, request_headers: headers, response_headers: headers, status_code: response.status };
  },
};

/** Node's fetch hides the reason in `cause` ("fetch failed" alone says nothing). */
function requestFailure(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  return cause === undefined ? errorMessage(e) : errorMessage(cause);
}

function isText(contentType: string): boolean {
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '') ?? '';
  const textual = /^text\/.+/.test(type) || type === 'application/json' || type.startsWith('application/samlmetadata+xml');
  return textual && (charset === '' || charset === 'utf-8' || charset === 'us-ascii');
}

/** Go's textproto.CanonicalMIMEHeaderKey: "content-type" -> "Content-Type". */
function canonicalHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
