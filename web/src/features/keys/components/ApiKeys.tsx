/**
 * Region "API keys": create a key (shown once, with "Copy"), list keys, revoke one. A key acts
 * as its owner on the data routes; it cannot create keys or change settings (SPEC §9).
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { FieldMessage } from '../../../components/ErrorSummary';
import { Section } from '../../../components/Section';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { useApi, useApiQuery } from '../../../lib/api';
import { ApiError } from '../../../lib/errors';
import { formatIstDateTime } from '../../../lib/format';
import { createKey, keysOf, revokeKey } from '../api/keys';
import type { CreatedKey } from '../types';

export function ApiKeys() {
  const api = useApi();
  const q = useApiQuery<unknown>('/api/keys');
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  const newKeyHeading = useRef<HTMLHeadingElement>(null);
  const nameId = useId();
  const keys = keysOf(q.data);

  const onCreate = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) {
      setNameError(trimmed ? 'Use at most 100 characters' : 'Enter a name for the key, like “Trading bot”');
      nameInput.current?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const key = await createKey(api, trimmed);
      setCreated(key);
      setCopied(false);
      setName('');
      setNameError(undefined);
      q.reload(true);
      requestAnimationFrame(() => newKeyHeading.current?.focus());
    } catch (error) {
      const field = error instanceof ApiError ? error.fieldErrors.find((e) => e.field === 'name') : undefined;
      if (field) {
        setNameError(field.message);
        nameInput.current?.focus();
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const onRevoke = async (id: string) => {
    setFailure(null);
    try {
      await revokeKey(api, id);
      if (created?.id === id) setCreated(null);
      q.reload(true);
    } catch (error) {
      setFailure(error);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <Section
      title="API keys"
      description="For your own programs: send a key as “Authorization: Bearer sck_…”. Keys can analyze and read your data, never manage keys or settings."
    >
      <form className="inline-form" onSubmit={onCreate} noValidate>
        <div className="field grow">
          <label htmlFor={nameId} className="field-label">
            Key name
          </label>
          <input
            id={nameId}
            ref={nameInput}
            type="text"
            value={name}
            maxLength={120}
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${nameId}-error` : undefined}
            onChange={(e) => setName(e.target.value)}
          />
          <FieldMessage id={`${nameId}-error`} message={nameError} />
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          Create key
        </button>
      </form>

      {created ? (
        <div className="new-key">
          <h3 ref={newKeyHeading} tabIndex={-1}>
            Your new key “<bdi>{created.name}</bdi>”
          </h3>
          <p>Copy it now: it is shown only this once. We keep only a hash of it.</p>
          <div className="key-box">
            <code>{created.key}</code>
            <button type="button" className="button secondary" onClick={copy}>
              Copy
            </button>
          </div>
          <p role="status" className="notice">
            {copied ? 'Copied to the clipboard.' : ''}
          </p>
        </div>
      ) : null}

      {failure ? <ErrorState error={failure} /> : null}
      {q.loading && !q.data ? <Loading /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => q.reload()} /> : null}
      {q.data && keys.length === 0 ? (
        <Empty>
          <p>No keys yet.</p>
        </Empty>
      ) : null}
      {keys.length ? (
        <ul className="key-list" aria-label="Your keys">
          {keys.map((k) => {
            const describedBy = `key-${k.id}-name`;
            return (
              <li key={k.id} className={k.revoked_at ? 'revoked' : ''}>
                <div>
                  <bdi className="key-name" id={describedBy}>
                    {k.name}
                  </bdi>{' '}
                  <code className="key-prefix">sck_{k.prefix}…</code>
                  <p className="muted small">
                    Created {formatIstDateTime(k.created_at)} ·{' '}
                    {k.last_used_at ? `last used ${formatIstDateTime(k.last_used_at)}` : 'never used'}
                    {k.revoked_at ? ` · revoked ${formatIstDateTime(k.revoked_at)}` : ''}
                  </p>
                </div>
                {k.revoked_at ? (
                  <span className="badge status-revoked">Revoked</span>
                ) : (
                  <button
                    type="button"
                    className="button danger"
                    aria-describedby={describedBy}
                    onClick={() => onRevoke(k.id)}
                  >
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
    </Section>
  );
}
