# debian-vm, step 2 of 2: boots the disk made by image.pkr.hcl under QEMU, provisions it
# over SSH and writes the result as qcow2. The build's temporary SSH key reaches the guest
# through a cloud-init NoCloud seed: a CD labelled "cidata" made from cd_content.
#
#   imgbuild build templates/debian-vm/vm.pkr.hcl                       # BIOS (SeaBIOS)
#   imgbuild build -var efi_boot=true -var output_directory=output/qemu-uefi \
#     templates/debian-vm/vm.pkr.hcl                                    # UEFI (OVMF)
#
# Any disk QEMU reads works as input: the OVA's VMDK, the VMware folder's VMDK, or an
# earlier output of this template (with use_backing_file, a qcow2 overlay on top of it).

variable "disk_image" {
  type        = string
  default     = "output/disk/debian-vm.raw"
  description = "The disk to boot: raw, qcow2 or VMDK. Relative paths are relative to this folder."
}

variable "use_backing_file" {
  type        = bool
  default     = false
  description = "Write a qcow2 overlay on disk_image instead of a standalone copy of it."
}

variable "efi_boot" {
  type        = bool
  default     = false
  description = "Boot through UEFI (OVMF) instead of BIOS (SeaBIOS); the disk boots either way."
}

variable "output_directory" {
  type    = string
  default = "output/qemu"
}

variable "vm_name" {
  type    = string
  default = "debian-vm.qcow2"
}

variable "build_label" {
  type        = string
  default     = "qemu"
  description = "Recorded in /etc/imgbuild-builds, the disk's build history."
}

variable "motd" {
  type    = string
  default = "Debian, built by imgbuild from a container build.\n"
}

variable "packages" {
  type        = list(string)
  default     = []
  description = "Installed with apt in the VM (the guest needs a route to a Debian mirror)."
}

locals {
  # cloud-init creates the user "debian" (passwordless sudo) with this key. {{ .SSHPublicKey }}
  # is the build's temporary key, generated for this build and never written to disk.
  user_data = <<-EOF
    #cloud-config
    ssh_authorized_keys: ["{{ .SSHPublicKey }}"]
  EOF
}

source "qemu" "debian-vm" {
  iso_url          = var.disk_image
  iso_checksum     = "none"
  disk_image       = true
  use_backing_file = var.use_backing_file
  efi_boot         = var.efi_boot
  format           = "qcow2"

  cpus      = 2
  memory    = 1024
  headless  = true
  boot_wait = "0s"

  cd_label = "cidata"
  cd_content = {
    "meta-data" = "instance-id: ${var.build_label}\nlocal-hostname: debian-vm\n"
    "user-data" = local.user_data
  }

  ssh_username     = "debian"
  ssh_timeout      = "10m"
  shutdown_command = "sudo systemctl poweroff"
  shutdown_timeout = "2m"

  output_directory = var.output_directory
  vm_name          = var.vm_name
}

build {
  sources = ["source.qemu.debian-vm"]

  provisioner "shell" {
    inline = [
      # SSH is up before cloud-init has finished; wait for it, so nothing races with it.
      "cloud-init status --wait",
      "echo \"firmware: $(test -d /sys/firmware/efi && echo uefi || echo bios)\"",
      "echo \"debian: $(cat /etc/debian_version)\"",
      "echo \"earlier builds of this disk: $(cat /etc/imgbuild-builds 2>/dev/null | paste -sd, - || true)\"",
      "echo \"motd: $(head -n1 /etc/motd)\"",
    ]
  }

  provisioner "file" {
    content     = var.motd
    destination = "/tmp/motd"
  }

  provisioner "shell" {
    execute_command  = "chmod +x {{ .Path }}; sudo {{ .Vars }} {{ .Path }}"
    environment_vars = ["BUILD_LABEL=${var.build_label}", "PACKAGES=${join(" ", var.packages)}"]
    inline = [
      "install -m 0644 /tmp/motd /etc/motd && rm /tmp/motd",
      "if [ -n \"$PACKAGES\" ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PACKAGES && rm -rf /var/lib/apt/lists/*; fi",
      "echo \"$BUILD_LABEL ($(test -d /sys/firmware/efi && echo uefi || echo bios))\" >> /etc/imgbuild-builds",
      # The next boot of this disk is a first boot again: cloud-init reads its new seed
      # (new host keys, the next user's keys), and the build's key is not left behind.
      "cloud-init clean --logs",
      "rm -f /home/debian/.ssh/authorized_keys",
    ]
  }
}
