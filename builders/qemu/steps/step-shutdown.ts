// Stops the guest so its disk is consistent: shutdown_command over SSH (a dropped
// connection is expected), or an ACPI power-button press without one; then QEMU must exit
// within shutdown_timeout. A guest that does not stop is powered off through QMP, with a
// warning, since its last writes may be lost.
import { BuildError, CancelledError, errorMessage } from '../../../src/core/errors.js';
import { formatDuration } from '../../../src/core/duration.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { COMMUNICATOR } from '../../../src/core/build-state.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_VM } from '../state.js';

export class StepShutdown implements Step {
  readonly name = 'shutdown';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const vm = ctx.state.require(QEMU_VM);
    const comm = ctx.state.get(COMMUNICATOR);
    const cmd = this.config.shutdownCommand;
    if (cmd !== null && comm && comm.type !== 'none') {
      ctx.ui.say(`Gracefully halting the virtual machine: ${cmd}`);
      try {
        let stderr = '';
        const res = await comm.exec(cmd, { signal: ctx.signal, onStderr: (s) => (stderr += s) });
        if (res.exitCode !== 0) {
          throw new BuildError(`shutdown_command "${cmd}" exited with status ${res.exitCode}${stderr.trim() ? `: ${stderr.trim()}` : ''}; check the command and that ssh_username may run it (sudo?)`);
        }
      } catch (e) {
        if (ctx.signal.aborted) throw new CancelledError();
        if (e instanceof BuildError && e.code !== 'E_COMM_DISCONNECTED') throw e;
        // The machine going away under the command is what a shutdown looks like.
      }
    } else {
      ctx.ui.say('Pressing the ACPI power button (no shutdown_command)');
      await vm.qmp.execute('system_powerdown').catch(() => undefined);
    }
    await comm?.close();
    const timeout = this.config.shutdownTimeoutMs;
    const stopWaiting = new AbortController();
    const exited = await Promise.race([
      vm.process.exited.then(() => true),
      this.driver.sleep(timeout, AbortSignal.any([ctx.signal, stopWaiting.signal])).then(() => false),
    ])
      .catch((e: unknown) => {
        if (ctx.signal.aborted) throw new CancelledError();
        throw e;
      })
      .finally(() => stopWaiting.abort());
    if (exited) {
      ctx.ui.say('The virtual machine has stopped');
      return;
    }
    ctx.ui.warn(`The virtual machine did not stop within shutdown_timeout (${formatDuration(timeout)}); powering it off, recent writes may be lost`);
    try {
      await vm.qmp.execute('quit');
    } catch (e) {
      ctx.ui.message(`qmp quit: ${errorMessage(e)}`);
      vm.process.kill('SIGKILL');
    }
    await vm.process.exited;
  }
}
