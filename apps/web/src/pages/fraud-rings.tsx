import { useEffect, useState } from 'react';
import { getJson } from '../api';
import type { FraudRing } from '../types';

/** Fraud rings: accounts that share identifiers (devices, phones, addresses…). */
export function FraudRings(): React.JSX.Element {
  const [rings, setRings] = useState<FraudRing[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getJson<{ rings: FraudRing[] }>('/fraud/rings?limit=50')
      .then((answer) => setRings(answer.rings))
      .catch((caught: unknown) =>
        setError(caught instanceof Error ? caught.message : String(caught)),
      );
  }, []);

  if (error !== null) {
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  }
  if (rings === null) return <p>Loading fraud rings…</p>;
  return (
    <section aria-labelledby="rings-title">
      <h1 id="rings-title">Fraud rings</h1>
      <p className="hint">
        A ring is a group of accounts tied together by identifiers they share (the same device,
        phone or address used by different customers). {rings.length} rings found.
      </p>
      {rings.map((ring, index) => {
        const parties = new Map(ring.parties.map((p) => [p.uid, p]));
        return (
          <article key={ring.members.join()} className="ring" aria-labelledby={`ring-${index}`}>
            <h2 id={`ring-${index}`}>
              Ring {index + 1}: {ring.members.length} accounts, {ring.customers} customers
            </h2>
            <p>
              Why: they share {ring.identifiers.length} identifier
              {ring.identifiers.length === 1 ? '' : 's'} (density {ring.density.toFixed(2)}).
            </p>
            <table>
              <caption>Shared identifiers</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Identifier</th>
                  <th scope="col">Accounts using it</th>
                </tr>
              </thead>
              <tbody>
                {ring.identifiers.map((identifier) => (
                  <tr key={identifier.identifierUid}>
                    <td>{identifier.kind}</td>
                    <th scope="row">{identifier.identifierUid}</th>
                    <td>{identifier.accountIds.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>Members</h3>
            <ul className="members">
              {ring.members.map((uid) => (
                <li key={uid}>
                  {uid}
                  {(parties.get(uid)?.holders ?? []).length > 0 &&
                    `: ${(parties.get(uid)?.holders ?? []).map((h) => h.name ?? h.uid).join(', ')}`}
                </li>
              ))}
            </ul>
          </article>
        );
      })}
    </section>
  );
}
