// The daemonless container builder: `container` (native keys) and `docker` (Packer's docker
// builder keys) share one step list. Base image -> shared layer store -> one overlay upper
// per provisioner, run in a runc/crun/bwrap container -> one deterministic layer each ->
// image config -> OCI layout / archives / registry.
import { rm } from 'node:fs/promises';
import { PACKER_BUILDER_IDS } from '../../src/core/builder-ids.js';
import type { Artifact, Builder, BuilderStep, BuildInfo } from '../../src/core/plugin.js';
import { PROVISION_STEP } from '../../src/core/plugin.js';
import type { StateBag } from '../../src/core/state.js';
import { STATE_IMAGE_REF, STATE_MANIFEST_DIGEST, STATE_OCI_LAYOUT, STATE_TAGS } from '../../src/oci/artifact-state.js';
import type { ContainerBuildConfig } from './config.js';
import { containerDefinition, dockerDefinition } from './definition.js';
import { HostDriver, type ContainerDriver } from './driver.js';
import { BUILT_IMAGE } from './state.js';
import { StepBuildDir } from './steps/step-build-dir.js';
import { StepExport } from './steps/step-export.js';
import { StepExtractBase } from './steps/step-extract-base.js';
import { StepImageConfig } from './steps/step-image-config.js';
import { StepPrepareHost } from './steps/step-prepare-host.js';
import { StepProvisionSetup } from './steps/step-provision-setup.js';
import { StepResolveBase } from './steps/step-resolve-base.js';
import { StepSquash } from './steps/step-squash.js';

export type { ContainerBuildConfig } from './config.js';
export { LayerStack, LayerSession } from './layers.js';
export type { ContainerDriver } from './driver.js';
export { HostDriver } from './driver.js';

export const BUILDER_ID = 'imgbuild.container';

/** The `docker` type answers with Packer's ids (a committed image or an export). */
function builderIdOf(config: ContainerBuildConfig): string {
  if (config.flavour !== 'docker') return BUILDER_ID;
  return config.exportPath !== null ? PACKER_BUILDER_IDS.docker : PACKER_BUILDER_IDS.dockerCommit;
}

/** The step list; `driver` is replaceable for unit tests. */
export function containerSteps(config: ContainerBuildConfig, driver: ContainerDriver = new HostDriver()): BuilderStep[] {
  return [
    new StepPrepareHost(config, driver),
    new StepResolveBase(config, driver),
    new StepExtractBase(driver),
    new StepBuildDir(driver),
    new StepProvisionSetup(config, driver),
    PROVISION_STEP,
    new StepSquash(),
    new StepImageConfig(config),
    new StepExport(config, driver),
  ];
}

export function containerArtifact(config: ContainerBuildConfig, state: StateBag): Artifact | null {
  if (config.discard) return null;
  const img = state.get(BUILT_IMAGE);
  if (!img) return null;
  const st: Record<string, unknown> = {
    [STATE_OCI_LAYOUT]: img.layoutDir,
    [STATE_MANIFEST_DIGEST]: img.manifestDigest,
    [STATE_TAGS]: [],
  };
  if (img.refName !== undefined) st[STATE_IMAGE_REF] = img.refName;
  return {
    builderId: builderIdOf(config),
    id: img.manifestDigest,
    files: img.files,
    description: `Container image ${img.manifestDigest} -> ${img.outputs.join(', ')}`,
    state: st,
    async destroy() {
      for (const f of img.files) await rm(f, { recursive: true, force: true });
    },
  };
}

const runtime = {
  steps: (config: ContainerBuildConfig, _build: BuildInfo) => containerSteps(config),
  artifact: containerArtifact,
};

export const containerBuilder: Builder<ContainerBuildConfig> = { ...containerDefinition, ...runtime };
export const dockerBuilder: Builder<ContainerBuildConfig> = { ...dockerDefinition, ...runtime };
