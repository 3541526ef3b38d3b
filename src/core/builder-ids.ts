// Packer's builder ids (each plugin's `BuilderId` constant), for the builder types imgbuild
// implements under Packer's name. Tools key on them: the manifest's `builder_type` readers,
// post-processors that accept only some inputs, scripts reading `artifact,0,builder-id` in
// -machine-readable output. A type imgbuild has under its own name uses an `imgbuild.` id.
export const PACKER_BUILDER_IDS = {
  docker: 'packer.docker',
  /** The docker builder's artifact when `commit = true` (an image, as docker-import makes). */
  dockerCommit: 'packer.post-processor.docker-import',
  qemu: 'transcend.qemu',
  'amazon-ebs': 'mitchellh.amazonebs',
  digitalocean: 'pearkes.digitalocean',
  null: 'fnoeding.null',
  'virtualbox-iso': 'mitchellh.virtualbox',
  'virtualbox-ovf': 'mitchellh.virtualbox',
  'vmware-iso': 'mitchellh.vmware',
  'vmware-vmx': 'mitchellh.vmware',
  file: 'packer.file',
} as const;
