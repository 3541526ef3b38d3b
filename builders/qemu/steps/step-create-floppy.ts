// floppy_files/floppy_dirs/floppy_content as a FAT floppy image attached to the VM (-fda
// in Packer), labelled floppy_label ("packer" by default). Kickstart and autounattend
// templates read their answer files from it. {{ .SSHPublicKey }} and friends are rendered
// in floppy_content, as in cd_content.
import path from 'node:path';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { renderAll } from '../placeholders.js';
import { QEMU_BUILD_DIR, QEMU_FLOPPY, QEMU_HTTP_PORT } from '../state.js';
import { SSH_TEMP_KEY } from '../../../src/communicators/ssh/state.js';
import { GUEST_HOST_IP } from './step-http-server.js';

export class StepCreateFloppy implements Step {
  readonly name = 'create-floppy';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const floppy = this.config.floppy;
    if (floppy === null) return;
    const dir = ctx.state.require(QEMU_BUILD_DIR);
    const key = ctx.state.get(SSH_TEMP_KEY);
    const port = ctx.state.get(QEMU_HTTP_PORT);
    const content = renderAll(floppy.content, {
      Name: this.config.vmName,
      HTTPIP: GUEST_HOST_IP,
      ...(port !== undefined ? { HTTPPort: String(port) } : {}),
      ...(key ? { SSHPublicKey: key.publicKey } : {}),
    });
    const out = path.join(dir, 'floppy.img');
    const count = floppy.files.length + floppy.dirs.length + Object.keys(content).length;
    ctx.ui.say(`Creating floppy disk "${floppy.label}" (${count} entries)`);
    await this.driver.makeFloppy({ ...floppy, content }, out, ctx.signal);
    ctx.state.set(QEMU_FLOPPY, out);
  }
  // No cleanup: the image lives in the build dir, removed with it.
}
