import { z } from 'zod';

export const breakpointSchema = z.object({
  note: z.string().optional(),
  disable: z.boolean().default(false),
});

export type BreakpointConfig = z.output<typeof breakpointSchema>;
