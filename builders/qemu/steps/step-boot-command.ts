// Waits boot_wait, then types boot_command into the guest through QMP. A VM that dies
// meanwhile ends the step with QEMU's own words instead of typing into nothing.
import { BuildError, CancelledError } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { parseBootCommand, typeBootCommand } from '../../../src/vm/boot-command.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { renderPlaceholders } from '../placeholders.js';
import { QEMU_HTTP_PORT, QEMU_VM } from '../state.js';
import { SSH_TEMP_KEY } from '../../../src/communicators/ssh/state.js';
import { exitedError } from './step-run-qemu.js';
import { GUEST_HOST_IP } from './step-http-server.js';

export class StepBootCommand implements Step {
  readonly name = 'boot-command';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const vm = ctx.state.require(QEMU_VM);
    const c = this.config;
    // Packer's boot_steps: the same keys as boot_command, in steps, each description shown
    // as its step is typed.
    const steps = c.bootSteps.length > 0 ? c.bootSteps : c.bootCommand.length > 0 ? [{ keys: c.bootCommand.join(''), description: null }] : [];
    if (steps.length === 0) return;
    const port = ctx.state.get(QEMU_HTTP_PORT);
    const key = ctx.state.get(SSH_TEMP_KEY);
    const vars = {
      Name: c.vmName,
      HTTPIP: GUEST_HOST_IP,
      ...(port !== undefined ? { HTTPPort: String(port) } : {}),
      ...(key ? { SSHPublicKey: key.publicKey } : {}),
    };
    const parsed = steps.map((s) => ({ description: s.description, actions: parseBootCommand(renderPlaceholders(s.keys, vars)) }));
    // Stops the waits and the typing as soon as QEMU exits.
    const died = new AbortController();
    void vm.process.exited.then(() => died.abort());
    const signal = AbortSignal.any([ctx.signal, died.signal]);
    try {
      if (c.bootWaitMs > 0) {
        ctx.ui.say(`Waiting ${c.bootWaitMs / 1000}s for boot...`);
        await this.driver.sleep(c.bootWaitMs, signal);
      }
      ctx.ui.say('Typing the boot command...');
      for (const [i, step] of parsed.entries()) {
        if (step.description !== null) ctx.ui.message(`[${i + 1}/${parsed.length}] ${step.description}`);
        await typeBootCommand(vm.qmp, step.actions, { keyIntervalMs: c.bootKeyIntervalMs, signal, sleep: (ms, s) => this.driver.sleep(ms, s) });
      }
    } catch (e) {
      if (ctx.signal.aborted) throw new CancelledError();
      if (!vm.process.running) throw await exitedError(vm.process, vm.qemuLog);
      if (e instanceof BuildError) throw e;
      throw new BuildError(`boot_command: ${(e as Error).message}`, { cause: e });
    }
  }
}
