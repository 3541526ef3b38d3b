// Packer configs written before HCL2 carry Go-template placeholders inside strings
// (`execute_command = "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"`, compress's
// `packer_{{.BuildName}}_{{.BuilderType}}`). Only the `{{.Name}}` form is meaningful there.
import { ImgbuildError } from './errors.js';

const PLACEHOLDER = /\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}/g;

/** Replaces `{{.Name}}` placeholders; an unknown name is an error naming what exists. */
export function renderGoTemplate(template: string, vars: Readonly<Record<string, string>>, what: string): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      throw new ImgbuildError(
        'E_TEMPLATE_VAR',
        `${what}: unknown placeholder {{.${name}}}; available: ${Object.keys(vars)
          .map((k) => `{{.${k}}}`)
          .join(', ')}`,
      );
    }
    return v;
  });
}
