# The disk the local clouds' seed images boot: Debian 12 with cloud-init, built by imgbuild's
# own container + disk pipeline (the same bootstrap and set-up as templates/debian-vm, so
# the two share the cached base). Built once per machine and cached under
# $IMGBUILD_CACHE_DIR/fake-clouds/ by test/fakes/machines/cloud-image.ts.
#
# cloud-init reads a NoCloud seed (the "cidata" CD every local cloud attaches); the login
# user (ubuntu, admin, ec2-user...) comes from the seed, as each cloud names it.

variable "output_directory" {
  type = string
}

source "container" "debian-cloud" {
  bootstrap {
    suite   = "bookworm"
    variant = "minbase"
    packages = [
      "linux-image-amd64", "systemd-sysv", "udev",
      # The image's own GRUB (grub-pc for BIOS, signed GRUB behind shim for UEFI), as every
      # image that ships to a cloud carries it: kernel upgrades inside an instance reach its menu.
      "grub-pc", "grub-efi-amd64-signed", "shim-signed",
      "openssh-server", "sudo",
      "cloud-init", "ifupdown", "cloud-guest-utils",
      "qemu-guest-agent",
    ]
  }

  output = ["oci:${var.output_directory}/oci"]
}

build {
  sources = ["source.container.debian-cloud"]

  provisioner "shell" {
    inline = [
      "printf '%s\\n' 'datasource_list: [ NoCloud, None ]' 'manage_etc_hosts: true' 'locale: C.UTF-8' > /etc/cloud/cloud.cfg.d/90-imgbuild.cfg",
      "rm -f /etc/ssh/ssh_host_*",
      "mkdir -p /etc/default/grub.d",
      "printf '%s\\n' 'GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200n8\"' 'GRUB_TERMINAL=\"console serial\"' 'GRUB_SERIAL_COMMAND=\"serial --unit=0 --speed=115200\"' 'GRUB_TIMEOUT=1' > /etc/default/grub.d/50-console.cfg",
      ": > /etc/machine-id",
      "rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin",
    ]
  }

  post-processor "disk" {
    output_directory = var.output_directory
    vm_name          = "debian-cloud"
    formats          = ["raw"]
    disk_size        = "8G"
  }
}
