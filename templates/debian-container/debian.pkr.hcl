# debian-container: a small Debian image built without Docker or any registry. The base is
# bootstrapped from Debian packages (mmdebstrap, cached between builds), the shell
# provisioner installs what the image is for — each provisioner becomes one OCI layer — and
# the result is written as an OCI archive you can load anywhere:
#
#   sudo imgbuild build templates/debian-container            # needs root: runc + overlayfs
#   sudo imgbuild build -var 'packages=["curl","jq"]' templates/debian-container
#   skopeo copy oci-archive:templates/debian-container/debian.oci.tar docker-daemon:debian-tools:latest
#   podman load -i templates/debian-container/debian.oci.tar
#
# Reproducible: with the same inputs and SOURCE_DATE_EPOCH the archive is byte-identical.
# Machine needs: runc, mmdebstrap, and access to the Debian mirror (scripts/setup.sh).

variable "suite" {
  type        = string
  default     = "bookworm"
  description = "Debian release to bootstrap the base from."
}

variable "packages" {
  type        = list(string)
  default     = ["curl"]
  description = "Packages the shell provisioner installs on top of the base."

  validation {
    condition     = length(var.packages) > 0
    error_message = "List at least one package to install."
  }
}

variable "image_title" {
  type    = string
  default = "debian-tools"
}

locals {
  # Outputs land beside the template, whatever directory imgbuild runs from.
  archive = "${path.root}/debian.oci.tar"
}

source "container" "debian" {
  # The base image: Debian's minbase variant plus what apt needs to fetch over HTTPS.
  bootstrap {
    suite    = var.suite
    variant  = "minbase"
    packages = ["ca-certificates"]
  }

  # Dockerfile-style instructions applied to the image config after the build.
  changes = [
    "ENV DEBIAN_FRONTEND=noninteractive",
    "LABEL org.opencontainers.image.title=${var.image_title}",
    "CMD [\"/bin/bash\"]",
  ]

  # oci:DIR, oci-archive:FILE, docker-archive:FILE or a registry reference; several allowed.
  output = ["oci-archive:${local.archive}"]
}

build {
  name    = "debian"
  sources = ["source.container.debian"]

  provisioner "shell" {
    inline = [
      "apt-get update",
      "apt-get install -y --no-install-recommends ${join(" ", var.packages)}",
      # Package lists are large and stale by the time anyone pulls the image.
      "rm -rf /var/lib/apt/lists/*",
    ]
  }

  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
  }
}
