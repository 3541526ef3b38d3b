import { lineOf, rawConfig } from '../../src/core/testing.js';
import { ovaPostProcessor } from '../ova/index.js';
import { vmwarePostProcessor } from '../vmware/index.js';
import { diskPostProcessor } from './index.js';

const ctx = { templateDir: '/t', sourceFullName: 'container.vm', buildName: '' };

describe('disk, ova and vmware configuration', () => {
  it('disk: defaults to one raw file in output-<name>', () => {
    const p = diskPostProcessor.prepare(rawConfig({}), ctx);
    expect(p.errors).toEqual([]);
    expect(p.config).toMatchObject({ formats: ['raw'], output_directory: 'output-{{.BuildName}}', vmdk_subformat: 'streamOptimized' });
  });

  it('disk: reports an unknown format, a bad size and a misspelt key at once, each at its line', () => {
    const raw = rawConfig({ formats: ['raw', 'vdi'], disk_size: 'huge', disk_sise: '4G' });
    const p = diskPostProcessor.prepare(raw, ctx);
    expect(p.config).toBeNull();
    const at = p.errors.map((d) => d.subject?.start.line);
    expect(at).toEqual(expect.arrayContaining([lineOf(raw, 'formats.1'), lineOf(raw, 'disk_size'), lineOf(raw, 'disk_sise')]));
    expect(p.errors.map((d) => d.detail).join('\n')).toContain('Did you mean "disk_size"?');
  });

  it('bootloader: the guest’s own by default, host as an opt-in, nothing else', () => {
    expect(diskPostProcessor.prepare(rawConfig({}), ctx).config?.bootloader).toBe('guest');
    expect(ovaPostProcessor.prepare(rawConfig({ bootloader: 'host' }), ctx).config?.bootloader).toBe('host');
    const raw = rawConfig({ bootloader: 'grub' });
    const p = vmwarePostProcessor.prepare(raw, ctx);
    expect(p.errors.map((d) => d.subject?.start.line)).toEqual([lineOf(raw, 'bootloader')]);
  });

  it('ova: product, vendor, version and description for the OVF', () => {
    expect(ovaPostProcessor.prepare(rawConfig({ product: 'P', vendor: 'V', version: '1', product_url: 'u', vendor_url: 'w', description: 'd' }), ctx).errors).toEqual([]);
  });

  it('ova and vmware: accept Packer-style hardware keys', () => {
    expect(ovaPostProcessor.prepare(rawConfig({ cpus: 2, memory: 2048, nic_type: 'VmxNet3', disk_size: 4096 }), ctx).errors).toEqual([]);
    expect(vmwarePostProcessor.prepare(rawConfig({ firmware: 'efi', disk_adapter_type: 'scsi', vmx_data: { 'a.b': 'c' } }), ctx).errors).toEqual([]);
    expect(vmwarePostProcessor.prepare(rawConfig({ firmware: 'coreboot' }), ctx).errors).toHaveLength(1);
  });
});
