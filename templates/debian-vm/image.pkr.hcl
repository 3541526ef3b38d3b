# debian-vm, step 1 of 2: a Debian VM image built like a container image. The root
# filesystem is bootstrapped from Debian packages and provisioned in a container (no VM, no
# installer, no Docker), then made into a bootable GPT disk (BIOS and UEFI) and exported
# three ways from the one build:
#
#   output/disk/debian-vm.raw                       raw disk, input of step 2 (vm.pkr.hcl)
#   output/ova/debian-vm.ova                        VirtualBox / VMware import
#   output/vmware/debian-vm.vmx + debian-vm.vmdk    VMware Workstation / Fusion folder
#
#   sudo imgbuild build templates/debian-vm/image.pkr.hcl      # needs root: runc + overlayfs
#
# The image has no user and no password: cloud-init creates the user "debian" at first boot
# and gives it the SSH keys of a NoCloud seed (a CD labelled "cidata"), as cloud images do.

variable "suite" {
  type        = string
  default     = "bookworm"
  description = "Debian release to bootstrap."
}

variable "disk_size" {
  type        = string
  default     = "3G"
  description = "Size of the whole disk; the qemu builder (step 2) can grow it, cloud-init grows the root partition."
}

variable "name" {
  type    = string
  default = "debian-vm"
}

source "container" "debian-vm" {
  bootstrap {
    suite   = var.suite
    variant = "minbase"
    packages = [
      # What a disk needs to boot: a kernel, an init, device nodes.
      "linux-image-amd64", "systemd-sysv", "udev",
      # The disk boots through the image's own GRUB: grub-pc under BIOS, Debian's signed GRUB
      # behind shim under UEFI (Secure Boot too). Its kernel hooks rerun update-grub, so a
      # kernel installed or removed inside the VM is in the next boot's menu.
      "grub-pc", "grub-efi-amd64-signed", "shim-signed",
      "openssh-server", "sudo",
      # cloud-init renders its network config for the first renderer it finds; with ifupdown
      # that is /etc/network/interfaces.d (DHCP through isc-dhcp-client, a cloud-init
      # dependency) brought up by networking.service. growpart comes with cloud-guest-utils.
      "cloud-init", "ifupdown", "cloud-guest-utils",
      # Hypervisors ask it for shutdowns and addresses; virt-v2v would otherwise schedule its
      # installation (apt) for the first boot after a conversion.
      "qemu-guest-agent",
    ]
  }

  output = ["oci:${path.root}/output/oci"]
}

build {
  sources = ["source.container.debian-vm"]

  provisioner "shell" {
    inline = [
      # cloud-init: NoCloud (the cidata CD) or nothing, so no waiting for cloud metadata
      # services at boot; /etc/hosts names the host (sudo looks it up); C.UTF-8, the one
      # locale there is without generating any.
      "printf '%s\\n' 'datasource_list: [ NoCloud, None ]' 'manage_etc_hosts: true' 'locale: C.UTF-8' > /etc/cloud/cloud.cfg.d/90-imgbuild.cfg",
      # Every VM gets its own: cloud-init makes SSH host keys, systemd a machine id.
      "rm -f /etc/ssh/ssh_host_*",
      # GRUB and the kernel on the serial console too (cloud consoles, `virsh console`), and a
      # one-second menu. The disk post-processor runs the image's update-grub with these.
      "mkdir -p /etc/default/grub.d",
      "printf '%s\\n' 'GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200n8\"' 'GRUB_TERMINAL=\"console serial\"' 'GRUB_SERIAL_COMMAND=\"serial --unit=0 --speed=115200\"' 'GRUB_TIMEOUT=1' > /etc/default/grub.d/50-console.cfg",
      ": > /etc/machine-id",
      "rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin",
    ]
  }

  post-processors {
    post-processor "disk" {
      output_directory    = "${path.root}/output/disk"
      vm_name             = var.name
      formats             = ["raw"]
      disk_size           = var.disk_size
      keep_input_artifact = true
    }
    # Converted from the disk above, so the OVA holds the same disk.
    post-processor "ova" {
      output_directory    = "${path.root}/output/ova"
      vm_name             = var.name
      # The OVF's ProductSection: VirtualBox shows these in its import dialog.
      product             = "Debian ${var.suite} VM"
      vendor              = "imgbuild templates/debian-vm"
      version             = var.suite
      cpus                = 2
      memory              = 1024
      keep_input_artifact = true
    }
  }

  post-processor "vmware" {
    output_directory    = "${path.root}/output/vmware"
    vm_name             = var.name
    cpus                = 2
    memory              = 1024
    disk_size           = var.disk_size
    keep_input_artifact = true
  }
}
