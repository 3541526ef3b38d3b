// Serves http_directory/http_content on 127.0.0.1 for the guest's installer or cloud-init
// (QEMU's user network maps 10.0.2.2 to the host's loopback). Stopped at the end.
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { GENERATED_DATA } from '../../../src/core/build-state.js';
import type { HttpServerHandle } from '../../../src/vm/http-server.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { renderAll } from '../placeholders.js';
import { QEMU_HTTP_PORT } from '../state.js';
import { SSH_TEMP_KEY } from '../../../src/communicators/ssh/state.js';

/** The host as the guest sees it on QEMU's user-mode network. */
export const GUEST_HOST_IP = '10.0.2.2';

export class StepHttpServer implements Step {
  readonly name = 'http-server';
  private server: HttpServerHandle | null = null;

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const c = this.config;
    if (c.httpDirectory === null && Object.keys(c.httpContent).length === 0) return;
    const key = ctx.state.get(SSH_TEMP_KEY);
    const content = renderAll(c.httpContent, { Name: c.vmName, HTTPIP: GUEST_HOST_IP, ...(key ? { SSHPublicKey: key.publicKey } : {}) });
    this.server = await this.driver.startHttp({ directory: c.httpDirectory, content, portMin: c.httpPortMin, portMax: c.httpPortMax });
    const port = this.server.port;
    ctx.ui.say(`Serving HTTP for the guest at http://${GUEST_HOST_IP}:${port} (127.0.0.1:${port} on this host)`);
    ctx.state.set(QEMU_HTTP_PORT, port);
    ctx.state.set(GENERATED_DATA, {
      ...(ctx.state.get(GENERATED_DATA) ?? {}),
      PackerHTTPIP: GUEST_HOST_IP,
      PackerHTTPPort: port,
      PackerHTTPAddr: `${GUEST_HOST_IP}:${port}`,
    });
  }

  async cleanup(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await s.close();
  }
}
