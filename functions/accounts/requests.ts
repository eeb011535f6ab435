/**
 * Validation of the account routes' inputs: key names and the `{id}` path parameter.
 */
import { z } from 'zod';
import { badRequest } from '../platform/errors';

const KeyBody = z.strictObject({
  name: z
    .string({ error: 'must be a string of 1-100 characters' })
    // Names show up in lists and logs: no control characters (newlines, escapes), and no
    // invisible format characters (\p{Cf}: zero-width spaces, joiners, byte-order marks,
    // direction overrides that reorder the text beside the name). Checked before trimming,
    // which would quietly drop a leading U+FEFF. A name of only U+200B is thus refused, not "not empty".
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .regex(/^[^\p{Cf}]*$/u, 'must not contain invisible format characters (zero-width or direction marks)')
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
});

/** `{"name": "…"}` of POST /api/keys; 400 naming the field otherwise. */
export function parseKeyName(body: unknown): string {
  const parsed = KeyBody.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      field: i.path.length > 0 ? i.path.join('.') : 'body',
      message: i.path.length > 0 ? i.message : 'must be {"name": "…"}',
    }));
    throw badRequest('The key needs a name of 1-100 characters', errors);
  }
  return parsed.data.name;
}

const Uuid = z.guid();

/**
 * The `{id}` path parameter as a uuid, or null for anything else. Routes answer 404 for null
 * exactly as for an id that is not the caller's: garbage never reaches SQL, and ids cannot be probed.
 */
export function pathId(pathParameters: Record<string, string | undefined> | undefined): string | null {
  const parsed = Uuid.safeParse(pathParameters?.id);
  return parsed.success ? parsed.data.toLowerCase() : null;
}
