// Environment for Packer's shell provisioners (shell and shell-local alike): the PACKER_*
// variables Packer sets from the build's generated data, and the `KEY='value' ` prefix
// execute_command receives as {{.Vars}}.
import type { GeneratedData } from './plugin.js';

/** PACKER_HTTP_ADDR/IP/PORT, when the builder serves http_directory/http_content. */
export function setPackerHttpVars(m: Map<string, string>, g: GeneratedData): void {
  if (g['PackerHTTPAddr'] !== undefined) m.set('PACKER_HTTP_ADDR', String(g['PackerHTTPAddr']));
  if (g['PackerHTTPIP'] !== undefined) m.set('PACKER_HTTP_IP', String(g['PackerHTTPIP']));
  if (g['PackerHTTPPort'] !== undefined) m.set('PACKER_HTTP_PORT', String(g['PackerHTTPPort']));
}

/** `KEY='value' ` per variable (env_var_format), single quotes escaped for the shell. */
export function flattenVars(vars: readonly [string, string][], format: string): string {
  return vars
    .map(([k, v]) => {
      const quoted = v.replace(/'/g, `'"'"'`);
      let i = 0;
      return format.replace(/%s/g, () => (i++ === 0 ? k : quoted));
    })
    .join('');
}
