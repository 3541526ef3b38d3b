// A VMware Workstation / Fusion / Player machine: the .vmx settings file next to its VMDK.
// Keys follow what Workstation writes for a new VM and what Packer's vmware builder emits.

export interface VmxOptions {
  name: string;
  /** File name of the disk, relative to the .vmx. */
  vmdkFile: string;
  guestOs: string;
  memoryMiB: number;
  cpus: number;
  firmware: 'bios' | 'efi';
  diskAdapter: 'sata' | 'scsi';
  /** scsi only: lsilogic (works with every Linux) or pvscsi. */
  scsiVirtualDev?: 'lsilogic' | 'pvscsi' | 'lsisas1068';
  network: 'nat' | 'bridged' | 'hostonly';
  nic: 'e1000' | 'e1000e' | 'vmxnet3';
  hardwareVersion: number;
  /** Extra keys, written last so they override. */
  extra?: Record<string, string>;
}

export function vmx(o: VmxOptions): string {
  const disk = o.diskAdapter === 'sata' ? 'sata0:0' : 'scsi0:0';
  const keys: [string, string][] = [
    ['.encoding', 'UTF-8'],
    ['config.version', '8'],
    ['virtualHW.version', String(o.hardwareVersion)],
    ['displayName', o.name],
    ['guestOS', o.guestOs],
    ['memsize', String(o.memoryMiB)],
    ['numvcpus', String(o.cpus)],
    ...(o.firmware === 'efi' ? ([['firmware', 'efi']] as [string, string][]) : []),
    ['pciBridge0.present', 'TRUE'],
    ['pciBridge4.present', 'TRUE'],
    ['pciBridge4.virtualDev', 'pcieRootPort'],
    ['pciBridge4.functions', '8'],
    ...(o.diskAdapter === 'sata'
      ? ([['sata0.present', 'TRUE']] as [string, string][])
      : ([['scsi0.present', 'TRUE'], ['scsi0.virtualDev', o.scsiVirtualDev ?? 'lsilogic']] as [string, string][])),
    [`${disk}.present`, 'TRUE'],
    [`${disk}.fileName`, o.vmdkFile],
    ['ethernet0.present', 'TRUE'],
    ['ethernet0.connectionType', o.network],
    ['ethernet0.virtualDev', o.nic],
    ['ethernet0.addressType', 'generated'],
    ['tools.syncTime', 'FALSE'],
    ['uuid.action', 'create'],
  ];
  const map = new Map(keys);
  for (const [k, v] of Object.entries(o.extra ?? {})) map.set(k, v);
  return `${[...map].map(([k, v]) => `${k} = "${v.replace(/"/g, '|22')}"`).join('\n')}\n`;
}
