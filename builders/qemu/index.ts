// The qemu builder (Packer's `source "qemu"`): a verified ISO or disk image -> a disk in
// the build dir (copy, or qcow2 overlay on a backing file) -> optional CD seed and HTTP
// server -> QEMU with user-mode networking and only SSH forwarded to 127.0.0.1 -> boot
// command over QMP -> SSH -> provisioners -> shutdown -> the disk in output_directory.
import { rm } from 'node:fs/promises';
import { PACKER_BUILDER_IDS } from '../../src/core/builder-ids.js';
import type { Artifact, Builder, BuilderStep, BuildInfo } from '../../src/core/plugin.js';
import { PROVISION_STEP } from '../../src/core/plugin.js';
import type { StateBag } from '../../src/core/state.js';
import type { QemuConfig } from './config.js';
import { qemuDefinition } from './definition.js';
import { HostQemuDriver, type QemuDriver } from './driver.js';
import { QEMU_ACCELERATOR, QEMU_OUTPUT } from './state.js';
import { StepAccelerator } from './steps/step-accelerator.js';
import { StepBootCommand } from './steps/step-boot-command.js';
import { StepBuildDir } from './steps/step-build-dir.js';
import { StepConnect } from './steps/step-connect.js';
import { StepSshKey } from '../../src/communicators/ssh/steps/step-ssh-key.js';
import { StepCreateCd } from './steps/step-create-cd.js';
import { StepCreateFloppy } from './steps/step-create-floppy.js';
import { StepCreateDisk } from './steps/step-create-disk.js';
import { StepDownload } from './steps/step-download.js';
import { StepEfiVars } from './steps/step-efi-vars.js';
import { StepExport } from './steps/step-export.js';
import { StepHttpServer } from './steps/step-http-server.js';
import { StepResizeDisk } from './steps/step-resize-disk.js';
import { StepRunQemu } from './steps/step-run-qemu.js';
import { StepShutdown } from './steps/step-shutdown.js';

export type { QemuConfig } from './config.js';
export type { QemuDriver } from './driver.js';
export { HostQemuDriver } from './driver.js';

/** Packer's id for this builder, so post-processors written for Packer recognise it. */
export const BUILDER_ID = PACKER_BUILDER_IDS.qemu;

/** The step list; `driver` is replaceable for unit tests. */
export function qemuSteps(config: QemuConfig, driver: QemuDriver = new HostQemuDriver()): BuilderStep[] {
  return [
    new StepBuildDir(config, driver),
    new StepSshKey(config.communicator === 'ssh' ? config.ssh : null),
    new StepAccelerator(config, driver),
    new StepDownload(config, driver),
    new StepCreateDisk(config, driver),
    new StepResizeDisk(config, driver),
    new StepEfiVars(config, driver),
    new StepHttpServer(config, driver),
    new StepCreateCd(config, driver),
    new StepCreateFloppy(config, driver),
    new StepRunQemu(config, driver),
    new StepBootCommand(config, driver),
    new StepConnect(config, driver),
    PROVISION_STEP,
    new StepShutdown(config, driver),
    new StepExport(config, driver),
  ];
}

export function qemuArtifact(config: QemuConfig, state: StateBag): Artifact | null {
  const out = state.get(QEMU_OUTPUT);
  if (!out) return null;
  return {
    builderId: BUILDER_ID,
    id: config.vmName,
    files: out.files,
    description: `VM files in directory: ${config.outputDirectory}`,
    // Packer's qemu artifact state keys, read by post-processors that know them.
    state: {
      diskName: config.vmName,
      diskType: config.format,
      diskSize: config.diskSizeBytes === null ? '' : String(config.diskSizeBytes),
      domainType: state.get(QEMU_ACCELERATOR) ?? 'tcg',
      diskPath: out.disk,
    },
    async destroy() {
      for (const f of out.files) await rm(f, { force: true });
      await rm(config.outputDirectory, { recursive: true, force: true });
    },
  };
}

export const qemuBuilder: Builder<QemuConfig> = {
  ...qemuDefinition,
  steps: (config: QemuConfig, _build: BuildInfo) => qemuSteps(config),
  artifact: qemuArtifact,
};
