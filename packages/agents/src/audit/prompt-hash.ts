import { createHash } from 'node:crypto';

/** sha256 of the full prompt text as stored, hex: lets an auditor prove a stored prompt is unaltered. */
export function promptSha256(prompt: string): string {
  return createHash('sha256').update(prompt, 'utf8').digest('hex');
}
