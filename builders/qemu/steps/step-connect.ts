// The shared wait-for-SSH step with what only the qemu builder knows: the machine listens
// on a port forwarded to 127.0.0.1, and if QEMU exits while we wait, the wait ends at once
// with QEMU's log and the tail of the serial console, which is where a guest says why it
// did not come up.
import { readFile } from 'node:fs/promises';
import { StepConnectSsh } from '../../../src/communicators/ssh/steps/step-connect.js';
import { BuildError } from '../../../src/core/errors.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_VM } from '../state.js';
import { exitedError } from './step-run-qemu.js';

export class StepConnect extends StepConnectSsh {
  constructor(config: QemuConfig, driver: QemuDriver, env: NodeJS.ProcessEnv = process.env) {
    super({
      ssh: config.communicator === 'none' ? null : config.ssh,
      connector: driver,
      env,
      target: (ctx) => ({ host: '127.0.0.1', port: ctx.state.require(QEMU_VM).sshPort }),
      watch: (ctx) => {
        const vm = ctx.state.require(QEMU_VM);
        return {
          gone: vm.process.exited,
          isGone: () => !vm.process.running,
          async error(during) {
            const err = await exitedError(vm.process, vm.qemuLog);
            const serial = (await readFile(vm.serialLog, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');
            return new BuildError(`${err.message.replace(/; check qemuargs.*$/, '')} ${during}${serial ? `; serial console ended with: ${serial}` : ''}`, { code: 'E_QEMU_EXIT' });
          },
        };
      },
    });
  }
}
