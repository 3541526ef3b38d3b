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
      "openssh-server", "sudo",
      # cloud-init renders its network config for the first renderer it finds; with ifupdown
      # that is /etc/network/interfaces.d (DHCP through isc-dhcp-client, a cloud-init
      # dependency) brought up by networking.service. growpart comes with cloud-guest-utils.
      "cloud-init", "ifupdown", "cloud-guest-utils",
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
