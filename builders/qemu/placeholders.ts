// Packer's qemu builder renders `{{ .HTTPIP }}`, `{{ .HTTPPort }}`, `{{ .Name }}` and
// `{{ .SSHPublicKey }}` in boot_command; imgbuild also renders them in cd_content and
// http_content, so a cloud-init seed can carry the build's temporary public key. Only
// these names are replaced: other `{{ ... }}` text (guest-side templates) is left alone.
export type Placeholders = Partial<Record<'HTTPIP' | 'HTTPPort' | 'Name' | 'SSHPublicKey', string>>;

const PLACEHOLDER = /\{\{-?\s*\.(HTTPIP|HTTPPort|Name|SSHPublicKey)\s*-?\}\}/g;

export function renderPlaceholders(text: string, vars: Placeholders): string {
  return text.replace(PLACEHOLDER, (m, name: keyof Placeholders) => vars[name] ?? m);
}

export function renderAll(map: Record<string, string>, vars: Placeholders): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, renderPlaceholders(v, vars)]));
}
