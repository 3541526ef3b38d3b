// Chooses KVM only when a guest really runs under it here (a probe boot), else TCG. An
// explicit accelerator = "kvm" that does not work is an error, not a silent slowdown.
import { BuildError } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_ACCELERATOR } from '../state.js';

export class StepAccelerator implements Step {
  readonly name = 'accelerator';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const want = this.config.accelerator;
    if (want === 'tcg' || want === 'none') {
      ctx.state.set(QEMU_ACCELERATOR, 'tcg');
      return;
    }
    const works = await this.driver.kvmWorks(this.config.qemuBinary);
    if (want === 'kvm' && !works) {
      throw new BuildError('accelerator = "kvm": KVM does not run a guest on this host (no usable /dev/kvm, or the probe guest hung); remove accelerator to fall back to TCG, or set accelerator = "tcg"', {
        code: 'E_KVM',
        source: 'environment',
      });
    }
    ctx.state.set(QEMU_ACCELERATOR, works ? 'kvm' : 'tcg');
    ctx.ui.say(works ? 'Using KVM acceleration' : 'KVM is not usable here; using TCG (software emulation, slower)');
  }
}
