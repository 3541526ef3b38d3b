// The final image config: the base's, with the new layers and their history, `changes`
// and the `config {}` block applied, every timestamp from SOURCE_DATE_EPOCH.
import { BuildError } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { epochToRfc3339 } from '../../../src/oci/config.js';
import type { ContainerConfig, History, ImageConfig } from '../../../src/oci/image.js';
import { applyChange } from '../changes.js';
import type { ContainerBuildConfig } from '../config.js';
import { BASE_IMAGE, FINAL_CONFIG, LAYER_STACK, SOURCE_DATE_EPOCH } from '../state.js';

export class StepImageConfig implements Step {
  readonly name = 'image-config';
  constructor(private readonly config: ContainerBuildConfig) {}

  run(ctx: StepContext): Promise<void> {
    const base = ctx.state.require(BASE_IMAGE);
    const stack = ctx.state.require(LAYER_STACK);
    const epoch = ctx.state.require(SOURCE_DATE_EPOCH);
    const created = epochToRfc3339(epoch);
    const cc: ContainerConfig = structuredClone(base.config.config ?? {});
    for (const line of this.config.changes) {
      const err = applyChange(cc, line);
      if (err !== null) throw new BuildError(`changes: ${err}`);
    }
    mergeStructured(cc, this.config.imageConfig);
    const history: History[] = [...(base.config.history ?? [])];
    const diffIds = [...base.config.rootfs.diff_ids];
    for (const e of stack.entries) {
      const h: History = { created, created_by: e.createdBy };
      if (this.config.author !== null) h.author = this.config.author;
      if (e.layer) diffIds.push(e.layer.diffId);
      else h.empty_layer = true;
      history.push(h);
    }
    const last = history[history.length - 1];
    if (this.config.message !== null && last && stack.entries.length > 0) last.comment = this.config.message;
    const cfg: ImageConfig = { ...structuredClone(base.config), created, rootfs: { type: 'layers', diff_ids: diffIds }, history, config: cc };
    if (this.config.author !== null) cfg.author = this.config.author;
    ctx.state.set(FINAL_CONFIG, cfg);
    return Promise.resolve();
  }
}

/** `config {}` values win; env and labels merge by key as Docker's do. */
function mergeStructured(cc: ContainerConfig, s: ContainerConfig): void {
  if (s.Env) {
    const m = new Map<string, string>();
    for (const kv of [...(cc.Env ?? []), ...s.Env]) {
      const i = kv.indexOf('=');
      m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
    }
    cc.Env = [...m].map(([k, v]) => `${k}=${v}`);
  }
  if (s.Labels) cc.Labels = { ...(cc.Labels ?? {}), ...s.Labels };
  if (s.ExposedPorts) cc.ExposedPorts = { ...(cc.ExposedPorts ?? {}), ...s.ExposedPorts };
  if (s.Volumes) cc.Volumes = { ...(cc.Volumes ?? {}), ...s.Volumes };
  if (s.Entrypoint) {
    cc.Entrypoint = s.Entrypoint;
    if (!s.Cmd) delete cc.Cmd;
  }
  if (s.Cmd) cc.Cmd = s.Cmd;
  if (s.User !== undefined) cc.User = s.User;
  if (s.WorkingDir !== undefined) cc.WorkingDir = s.WorkingDir;
  if (s.StopSignal !== undefined) cc.StopSignal = s.StopSignal;
}
