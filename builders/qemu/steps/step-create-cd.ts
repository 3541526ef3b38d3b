// cd_files/cd_content as an ISO attached to the VM; labelled "cidata" by default, which
// makes it a cloud-init NoCloud seed. {{ .SSHPublicKey }} and friends are rendered in
// cd_content, so the seed can authorise the build's temporary key.
import path from 'node:path';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { renderAll } from '../placeholders.js';
import { QEMU_BUILD_DIR, QEMU_CD, QEMU_HTTP_PORT } from '../state.js';
import { SSH_TEMP_KEY } from '../../../src/communicators/ssh/state.js';
import { GUEST_HOST_IP } from './step-http-server.js';

export class StepCreateCd implements Step {
  readonly name = 'create-cd';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const c = this.config;
    if (c.cdFiles.length === 0 && Object.keys(c.cdContent).length === 0) return;
    const dir = ctx.state.require(QEMU_BUILD_DIR);
    const key = ctx.state.get(SSH_TEMP_KEY);
    const port = ctx.state.get(QEMU_HTTP_PORT);
    const content = renderAll(c.cdContent, {
      Name: c.vmName,
      HTTPIP: GUEST_HOST_IP,
      ...(port !== undefined ? { HTTPPort: String(port) } : {}),
      ...(key ? { SSHPublicKey: key.publicKey } : {}),
    });
    const out = path.join(dir, 'cd.iso');
    ctx.ui.say(`Creating CD image "${c.cdLabel}" (${c.cdFiles.length + Object.keys(content).length} entries)`);
    await this.driver.makeIso({ files: c.cdFiles, content, label: c.cdLabel }, path.join(dir, 'cd-staging'), out, ctx.signal);
    ctx.state.set(QEMU_CD, out);
  }
  // No cleanup: the image and its staging dir live in the build dir, removed with it.
}
