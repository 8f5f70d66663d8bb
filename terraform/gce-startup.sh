#!/bin/bash
# GCE startup-script (run as root by the guest agent on every boot). Google's Debian images have no
# cloud-init, so on the first boot this installs it from Debian and runs its stages once: cloud-init
# then applies the instance's user-data (vm/cloud-init.yaml), the one boot recipe. On images that
# already have cloud-init (it ran by itself), and on later boots, it does nothing.
set -euo pipefail

if command -v cloud-init >/dev/null; then
  exit 0
fi

# Read only GCE metadata, and leave the network as the image set it up (it is already up).
mkdir -p /etc/cloud/cloud.cfg.d
cat > /etc/cloud/cloud.cfg.d/90-compilerd.cfg <<'CFG'
datasource_list: [GCE]
network: {config: disabled}
CFG

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends cloud-init
cloud-init init
cloud-init modules --mode=config
cloud-init modules --mode=final
