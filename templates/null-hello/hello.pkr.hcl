# null-hello: the smallest useful imgbuild template. It builds nothing external — the
# `null` builder has no machine — so it runs anywhere, in CI, in seconds. Use it to check an
# imgbuild installation, to learn the template language, or as the skeleton of a pipeline
# whose real work happens in shell-local steps.
#
#   imgbuild validate templates/null-hello
#   imgbuild build templates/null-hello
#   imgbuild build -var 'greeting=bonjour' -var 'team=platform' templates/null-hello
#
# Output: the provisioner's lines on the console, and templates/null-hello/manifest.json
# (Packer's packer-manifest.json layout) listing the build and its custom data.

variable "greeting" {
  type        = string
  default     = "hello"
  description = "What the provisioner says."

  validation {
    condition     = length(var.greeting) > 0
    error_message = "The greeting must not be empty."
  }
}

variable "team" {
  type        = string
  default     = "imgbuild"
  description = "Recorded in the manifest's custom_data, e.g. for a release pipeline."
}

locals {
  # One timestamp for the whole run, so every step and the manifest agree on it.
  stamp = formatdate("YYYYMMDD-hhmmss", timestamp())
}

source "null" "hello" {
  communicator = "none"
}

build {
  name    = "hello"
  sources = ["source.null.hello"]

  # shell-local runs on the machine running imgbuild. Provisioners run in the order written.
  provisioner "shell-local" {
    inline = [
      "echo '${var.greeting} from ${var.team} (${local.stamp})'",
      "uname -sm",
    ]
  }

  provisioner "shell-local" {
    # Environment variables are the safe way to pass values to scripts (no quoting issues).
    environment_vars = ["GREETING=${var.greeting}"]
    inline           = ["echo \"the greeting has $(printf %s \"$GREETING\" | wc -c) characters\""]
  }

  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
    custom_data = {
      team  = var.team
      stamp = local.stamp
    }
  }
}
