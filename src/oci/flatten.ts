// An image's layers applied in order onto one directory (rootfs for a disk image, or a
// docker-export-like tree). Whiteouts delete what lower layers put there.
import { shortDigest } from './digest.js';
import { decompress } from './decompress.js';
import { extractLayer } from './extract.js';
import type { ResolvedImage } from './layout.js';

export async function flattenImage(
  image: ResolvedImage,
  root: string,
  opts: { allowDevices?: boolean; onWarning?: (message: string) => void } = {},
): Promise<void> {
  for (const l of image.manifest.layers) {
    const what = `layer ${shortDigest(l.digest)}`;
    await extractLayer(decompress(image.blobs.readVerified(l.digest), what), root, { mode: 'merged', what, ...opts });
  }
}
