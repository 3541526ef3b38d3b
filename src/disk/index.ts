// src/disk: root filesystems to bootable disks, VM image formats, OVF/OVA and VMX.
export { rootfsToRawDisk, autoSize, type RawDiskOptions, type RawDiskResult, type BootMode, type Bootloader } from './raw-disk.js';
export { convertDisk, extensionOf, DISK_FORMATS, type DiskFormat, type ConvertOptions, type VmdkSubformat } from './formats.js';
export { writeOva, sha256File, safeName, type OvaOptions, type OvaResult } from './ova.js';
export { ovfEnvelope, type OvfOptions } from './ovf.js';
export { vmx, type VmxOptions } from './vmx.js';
export { findKernel, BOOT_PACKAGES_HINT, type BootKernel } from './kernel.js';
export { rawDiskForArtifact, sourceDateEpochFromEnv, STATE_DISK_RAW, STATE_DISK_SEED } from './artifact.js';
export { parseSize } from './size.js';
export { hostDiskDriver, type DiskDriver } from './driver.js';
export { deriveIds, type DiskIds } from './ids.js';
