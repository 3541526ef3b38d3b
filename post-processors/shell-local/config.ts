// The shell-local post-processor takes the provisioner's keys (Packer shares them) plus
// keep_input_artifact, which the core also reads from the block.
import { z } from 'zod';

export const shellLocalPostExtra = {
  keep_input_artifact: z.boolean().optional(),
};
