# Workload W1 of ../shared/bench-peers (its Containerfile, step for step) as an imgbuild
# template: the same minbase base tarball, five RUN steps, COPY of the 20 MB data dir, ENV
# and CMD, written as a gzip oci-archive.
variable "base_tar" { type = string }
variable "data_dir" { type = string }
variable "output" { type = string }

source "container" "w1" {
  image   = "rootfs:${var.base_tar}"
  changes = ["ENV BENCH=1 LANG=C.UTF-8", "CMD [\"/bin/sh\", \"-c\", \"cat /etc/bench-1\"]"]
  output  = ["oci-archive:${var.output}"]
}

build {
  sources = ["source.container.w1"]

  provisioner "shell" { inline = ["echo step1 > /etc/bench-1 && mkdir -p /opt/bench/a"] }
  provisioner "shell" { inline = ["echo step2 > /opt/bench/a/two && printf 'k=v\\n' > /etc/bench.conf"] }
  provisioner "shell" { inline = ["mkdir -p /var/lib/bench && for i in 1 2 3 4 5 6 7 8 9 10; do echo $i > /var/lib/bench/f$i; done"] }
  provisioner "shell" { inline = ["ln -s /opt/bench/a/two /usr/local/bin/bench-two && touch /etc/bench-3 && chmod 0600 /etc/bench-3"] }
  provisioner "shell" { inline = ["echo bench >> /etc/issue && mkdir -p /srv/empty"] }
  provisioner "file" {
    source      = var.data_dir
    destination = "/data"
  }
}
