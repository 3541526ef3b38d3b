// An OVF 1.0 envelope for one VM with one disk, in the dialect VirtualBox exports and
// imports (vbox:OSType, virtualbox-2.2 system type) and VMware's ovftool accepts: rasd
// elements in schema (alphabetical) order, sizes as plain byte counts. Elements follow
// DSP8023 (OVF 1.x envelope schema): References, then the package's sections, then the
// VirtualSystem (Info, Name, then its sections); ovf.test.ts checks that structure.

export interface OvfOptions {
  /** VM name; also VirtualSystem id. */
  name: string;
  diskFile: string;
  diskFileSize: number;
  capacityBytes: number;
  populatedBytes: number;
  cpus: number;
  memoryMiB: number;
  /** Controller the disk hangs on. */
  diskController: 'sata' | 'ide';
  network: 'NAT';
  nic: 'E1000' | 'PCNet32' | 'VmxNet3';
  /** CIM OS id (96: Debian 64-bit) and VirtualBox's name for it. */
  osId: number;
  vboxOsType: string;
  /** A disk id VirtualBox keeps for the imported medium. */
  diskUuid: string;
  /** ProductSection, written when any of these is given (VirtualBox shows them on import). */
  product?: ProductInfo;
  /** AnnotationSection: a description importers show beside the VM. */
  description?: string;
}

export interface ProductInfo {
  product?: string | undefined;
  vendor?: string | undefined;
  version?: string | undefined;
  productUrl?: string | undefined;
  vendorUrl?: string | undefined;
}

export const VMDK_STREAM_FORMAT = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

export function ovfEnvelope(o: OvfOptions): string {
  const items: Record<string, string | number>[] = [
    { Caption: `${o.cpus} virtual CPU`, Description: 'Number of virtual CPUs', ElementName: `${o.cpus} virtual CPU`, InstanceID: 1, ResourceType: 3, VirtualQuantity: o.cpus },
    { AllocationUnits: 'MegaBytes', Caption: `${o.memoryMiB} MB of memory`, Description: 'Memory Size', ElementName: `${o.memoryMiB} MB of memory`, InstanceID: 2, ResourceType: 4, VirtualQuantity: o.memoryMiB },
    { Address: 0, Caption: 'ideController0', Description: 'IDE Controller', ElementName: 'ideController0', InstanceID: 3, ResourceSubType: 'PIIX4', ResourceType: 5 },
    { Address: 0, Caption: 'sataController0', Description: 'SATA Controller', ElementName: 'sataController0', InstanceID: 4, ResourceSubType: 'AHCI', ResourceType: 20 },
    { AutomaticAllocation: 'true', Caption: `Ethernet adapter on '${o.network}'`, Connection: o.network, ElementName: `Ethernet adapter on '${o.network}'`, InstanceID: 5, ResourceSubType: o.nic, ResourceType: 10 },
    { AddressOnParent: 0, Caption: 'disk1', Description: 'Disk Image', ElementName: 'disk1', HostResource: 'ovf:/disk/vmdisk1', InstanceID: 6, Parent: o.diskController === 'sata' ? 4 : 3, ResourceType: 17 },
  ];
  const item = (fields: Record<string, string | number>): string =>
    [
      '      <Item>',
      ...Object.keys(fields)
        .sort()
        .map((k) => `        <rasd:${k}>${esc(String(fields[k]))}</rasd:${k}>`),
      '      </Item>',
    ].join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:vbox="http://www.virtualbox.org/ovf/machine">
  <References>
    <File ovf:id="file1" ovf:href="${esc(o.diskFile)}" ovf:size="${o.diskFileSize}"/>
  </References>
  <DiskSection>
    <Info>List of the virtual disks used in the package</Info>
    <Disk ovf:capacity="${o.capacityBytes}" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="${VMDK_STREAM_FORMAT}" ovf:populatedSize="${o.populatedBytes}" vbox:uuid="${o.diskUuid}"/>
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks used in the package</Info>
    <Network ovf:name="${o.network}">
      <Description>Logical network used by this appliance.</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="${esc(o.name)}">
    <Info>A virtual machine</Info>
    <Name>${esc(o.name)}</Name>
${annotationSection(o.description)}${productSection(o.product)}    <OperatingSystemSection ovf:id="${o.osId}">
      <Info>The kind of installed guest operating system</Info>
      <Description>${esc(o.vboxOsType)}</Description>
      <vbox:OSType ovf:required="false">${esc(o.vboxOsType)}</vbox:OSType>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements for a virtual machine</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>${esc(o.name)}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>virtualbox-2.2</vssd:VirtualSystemType>
      </System>
${items.map(item).join('\n')}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

function annotationSection(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return `    <AnnotationSection>\n      <Info>A human-readable annotation</Info>\n      <Annotation>${esc(text)}</Annotation>\n    </AnnotationSection>\n`;
}

/** DSP8023 ProductSection_Type: Info, then Product, Vendor, Version, (FullVersion), ProductUrl, VendorUrl in this order. */
function productSection(p: ProductInfo | undefined): string {
  if (!p) return '';
  const fields: [string, string | undefined][] = [
    ['Product', p.product], ['Vendor', p.vendor], ['Version', p.version], ['ProductUrl', p.productUrl], ['VendorUrl', p.vendorUrl],
  ];
  const present = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  if (present.length === 0) return '';
  return [
    '    <ProductSection>',
    '      <Info>Meta-information about the installed software</Info>',
    ...present.map(([k, v]) => `      <${k}>${esc(v)}</${k}>`),
    '    </ProductSection>',
    '',
  ].join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
