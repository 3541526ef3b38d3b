// The OVF envelope against the structure DMTF's OVF 1.x schema (DSP8023) requires, with
// xmllint and the schema's types transcribed in test/fixtures/ovf-schema (the schema itself
// cannot be downloaded here): References first, then DiskSection and NetworkSection, then
// the VirtualSystem with Info, Name (virt-v2v reads the VM's name from it), Annotation,
// Product (Product, Vendor, Version, ProductUrl, VendorUrl in order), OperatingSystem and
// VirtualHardware sections; rasd/vssd elements in CIM's alphabetical order.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ovfEnvelope, type OvfOptions } from './ovf.js';

const SCHEMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/ovf-schema/dsp8023-envelope.xsd');
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-ovf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base: OvfOptions = {
  name: 'debian-vm', diskFile: 'debian-vm-disk001.vmdk', diskFileSize: 123456, capacityBytes: 3221225472, populatedBytes: 1048576,
  cpus: 2, memoryMiB: 1024, diskController: 'sata', network: 'NAT', nic: 'E1000', osId: 96, vboxOsType: 'Debian_64',
  diskUuid: '5b2a3c7e-0000-5000-8000-000000000001',
};

function validate(xml: string): { ok: boolean; errors: string } {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.ovf`);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
  return { ok: r.status === 0, errors: r.stderr.replaceAll(file, 'x.ovf').trim() };
}

describe('ovfEnvelope', () => {
  it('validates against the DSP8023 structure with the optional sections present', () => {
    const xml = ovfEnvelope({ ...base, description: 'Debian <12> & cloud-init', product: { product: 'Debian VM', vendor: 'imgbuild', version: '12', productUrl: 'https://www.debian.org/', vendorUrl: 'https://example.org/' } });
    expect(validate(xml)).toEqual({ ok: true, errors: 'x.ovf validates' });
    expect(xml).toMatch(/<VirtualSystem ovf:id="debian-vm">\n {4}<Info>A virtual machine<\/Info>\n {4}<Name>debian-vm<\/Name>\n {4}<AnnotationSection>/);
    expect(xml).toContain('<Annotation>Debian &lt;12&gt; &amp; cloud-init</Annotation>');
    expect(xml).toMatch(/<ProductSection>\n.*<Info>.*\n.*<Product>Debian VM<\/Product>\n.*<Vendor>imgbuild<\/Vendor>\n.*<Version>12<\/Version>\n.*<ProductUrl>/);
    expect(xml).toContain('<rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>');
  });

  it('validates without them, and leaves out an empty ProductSection', () => {
    const xml = ovfEnvelope({ ...base, product: {} });
    expect(validate(xml).ok).toBe(true);
    expect(xml).not.toContain('ProductSection');
    expect(xml).not.toContain('AnnotationSection');
    expect(xml).toContain('<Name>debian-vm</Name>');
  });

  it('the schema check is not vacuous: it refuses misplaced, missing and misordered elements', () => {
    const good = ovfEnvelope({ ...base, product: { product: 'P', vendor: 'V' } });
    const cases: [string, string][] = [
      ['Name before Info', good.replace('<Info>A virtual machine</Info>\n    <Name>debian-vm</Name>', '<Name>debian-vm</Name>\n    <Info>A virtual machine</Info>')],
      ['Vendor before Product', good.replace('<Product>P</Product>\n      <Vendor>V</Vendor>', '<Vendor>V</Vendor>\n      <Product>P</Product>')],
      ['no References', good.replace(/<References>[\s\S]*?<\/References>\n/, '')],
      ['a Disk without capacity', good.replace(/ ovf:capacity="\d+"/, '')],
      ['rasd elements out of order', good.replace(/(<rasd:Caption>[^<]*<\/rasd:Caption>\n)(\s*<rasd:AllocationUnits>[^<]*<\/rasd:AllocationUnits>\n)/, '$2$1').replace(/(\s*<rasd:AllocationUnits>MegaBytes<\/rasd:AllocationUnits>)(\n\s*<rasd:Caption>[^<]*<\/rasd:Caption>)/, '$2$1')],
    ];
    for (const [what, xml] of cases) {
      expect(xml).not.toBe(good);
      expect(`${what}: ${String(validate(xml).ok)}`).toBe(`${what}: false`);
    }
  });
});
