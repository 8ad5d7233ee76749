import { z } from 'zod';

/**
 * A variable holding JSON, parsed and then checked by `schema`; bad JSON is a config problem, not a
 * crash. Here rather than in service-kit (which re-exports it) so packages that read their own
 * environment without being a service, like agents, share it.
 */
export const jsonVariable = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
