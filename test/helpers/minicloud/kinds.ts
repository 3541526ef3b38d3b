// How `imgbuild cleanup` (and the plugin's own step cleanups) remove minicloud resources from
// a journal entry alone: by id when the create call's answer was heard, else by the client
// token (machines) or the name and `imgbuild:run-id` tag (firewalls, which have no token).
// The client is built from the scope in the handle by the same factory the steps use.
import { isDriverError, TransientError } from '../../../src/core/driver-errors.js';
import { requireHandle } from '../../../src/core/journal-kinds.js';
import type { JournalEntry, RemoveContext, RemoveOutcome, ResourceKind } from '../../../src/core/journal-types.js';
import { withRetry } from '../../../src/core/retry.js';
import { MinicloudClient, type MinicloudScope } from './client.js';

export const MACHINE_KIND = 'minicloud-machine';
export const FIREWALL_KIND = 'minicloud-firewall';
export const RUN_ID_TAG = 'imgbuild:run-id';

/** The one way a client is made, for builds and cleanups alike: scope from the handle, token from MINICLOUD_TOKEN. */
export function minicloudClient(scope: MinicloudScope, env: NodeJS.ProcessEnv = process.env): MinicloudClient {
  return new MinicloudClient(scope, env['MINICLOUD_TOKEN'] ?? '', { baseDelayMs: 100, maxDelayMs: 2_000 });
}

function clientOf(entry: JournalEntry, ctx: RemoveContext): Promise<MinicloudClient> {
  const scope = { endpoint: requireHandle(entry, 'endpoint'), region: requireHandle(entry, 'region') };
  return ctx.client(`minicloud ${scope.endpoint} ${scope.region}`, () => minicloudClient(scope));
}

export const machineKind: ResourceKind = {
  kind: MACHINE_KIND,
  async remove(entry, ctx): Promise<RemoveOutcome> {
    const client = await clientOf(entry, ctx);
    const { id, clientToken } = entry.handle;
    let ids: string[];
    let how: string | undefined;
    if (id !== undefined) ids = [id];
    else {
      const token = requireHandle(entry, 'clientToken');
      ids = (await client.listMachines({ clientToken: token }, ctx.signal)).map((m) => m.id);
      how = `found by client token ${token}`;
      if (ids.length === 0) return { removed: [], detail: `no machine has client token ${clientToken ?? ''}: the create call never reached the cloud` };
    }
    const removed: string[] = [];
    for (const m of ids) {
      try {
        await client.deleteMachine(m, ctx.signal);
        removed.push(m);
      } catch (e) {
        if (!isDriverError(e, 'not-found')) throw e;
      }
      await waitGone(client, m, ctx.signal);
    }
    return removed.length === 0 ? { removed, detail: `machine ${ids.join(', ')} already gone` } : { removed, ...(how === undefined ? {} : { detail: how }) };
  },
};

export const firewallKind: ResourceKind = {
  kind: FIREWALL_KIND,
  async remove(entry, ctx): Promise<RemoveOutcome> {
    const client = await clientOf(entry, ctx);
    let ids: string[];
    let how: string | undefined;
    if (entry.handle['id'] !== undefined) ids = [entry.handle['id']];
    else {
      const name = requireHandle(entry, 'name');
      const tag = `${RUN_ID_TAG}=${entry.runId}`;
      ids = (await client.listFirewalls({ name, tag }, ctx.signal)).map((f) => f.id);
      how = `found by name ${name} and tag ${tag}`;
      if (ids.length === 0) return { removed: [], detail: `no firewall named ${name} with tag ${tag}: the create call never reached the cloud` };
    }
    const removed: string[] = [];
    for (const f of ids) {
      try {
        // A machine that is still terminating keeps using the firewall for a while.
        await client.deleteFirewall(f, ctx.signal, { retryOn: (e) => isDriverError(e, 'dependency') || (isDriverError(e) && e.retryable), maxAttempts: 20 });
        removed.push(f);
      } catch (e) {
        if (!isDriverError(e, 'not-found')) throw e;
      }
    }
    return removed.length === 0 ? { removed, detail: `firewall ${ids.join(', ')} already gone` } : { removed, ...(how === undefined ? {} : { detail: how }) };
  },
};

/** Polls until the machine has terminated, so what it used can go next. */
async function waitGone(client: MinicloudClient, id: string, signal: AbortSignal): Promise<void> {
  await withRetry(
    async () => {
      try {
        const m = await client.getMachine(id, signal);
        throw new TransientError({ operation: `wait for machine ${id} to terminate`, message: `still ${m.state}` });
      } catch (e) {
        if (isDriverError(e, 'not-found')) return;
        throw e;
      }
    },
    { signal, baseDelayMs: 50, maxDelayMs: 1_000, maxAttempts: 40 },
  );
}

export const minicloudKinds: readonly ResourceKind[] = [machineKind, firewallKind];
