import { createHash } from 'node:crypto';
import type { IdentifierKind } from './labels';
import type { GraphVertex, IdentifierVertex, PersonVertex } from './records';

/*
 * GDPR erasure (Art. 17) as the graph keeps it: an erased Person carries the pseudonym of its
 * uid as name and none of its personal fields; an erased contact identifier carries the
 * pseudonym of its uid as value. The API's `POST /subjects/{id}/erase` writes that state; every
 * store adapter keeps it (`keepErasure` in their upserts), so that no later write (an import, a
 * seeder load, an entity message on the stream) brings the personal data back.
 */

/** Identifier kinds that name a person (contact data); devices, IPs and cards are not erased. */
export const PERSONAL_IDENTIFIER_KINDS: readonly IdentifierKind[] = ['email', 'phone', 'address'];

/** Person fields that erasure removes; `name` is replaced by a pseudonym. */
export const ERASED_PERSON_FIELDS = ['birthDate', 'nationality', 'residence'] as const;

/** The stable pseudonym an erasure gives a person's name or an identifier's value. */
export function pseudonymFor(uid: string): string {
  return `erased-${createHash('sha256').update(`erased:${uid}`, 'utf8').digest('hex').slice(0, 12)}`;
}

/** True for a stored Person or contact Identifier that an erasure pseudonymised. */
export function isErased(vertex: GraphVertex): boolean {
  if (vertex.label === 'Person') return vertex.props.name === pseudonymFor(vertex.uid);
  if (vertex.label === 'Identifier')
    return (
      PERSONAL_IDENTIFIER_KINDS.includes(vertex.props.kind) &&
      vertex.props.value === pseudonymFor(vertex.uid)
    );
  return false;
}

/** What a Person written over an erased one may carry: the pseudonym and the AML flags. */
export function erasedPerson(written: PersonVertex): PersonVertex {
  const { isPep, isSanctioned } = written.props;
  return {
    label: 'Person',
    uid: written.uid,
    props: { name: pseudonymFor(written.uid), isPep, isSanctioned },
  };
}

/** What an Identifier written over an erased one may carry: everything but its value. */
export function erasedIdentifier(written: IdentifierVertex): IdentifierVertex {
  return { ...written, props: { ...written.props, value: pseudonymFor(written.uid) } };
}

/**
 * The vertex to store when `written` is upserted over `stored`: `written` itself, unless
 * `stored` is an erased Person or contact Identifier of the same label. Then the personal data
 * stays erased (the AML flags `isPep` and `isSanctioned` are not personal data an erasure
 * removes, so they are updated).
 */
export function keepErasure(written: GraphVertex, stored: GraphVertex): GraphVertex {
  if (written.label !== stored.label || !isErased(stored)) return written;
  if (written.label === 'Person') return erasedPerson(written);
  if (written.label === 'Identifier') return erasedIdentifier(written);
  return written;
}
