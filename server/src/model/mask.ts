import { createHash } from 'node:crypto';

/**
 * A secret is never shown. Its mask is a short fingerprint (the first 6 hex characters of its
 * SHA-256) so that a user can tell two secrets apart, or see that two are equal, without seeing either.
 */
export function mask(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 6)}`;
}
