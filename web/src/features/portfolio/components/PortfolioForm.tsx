/**
 * The portfolio editor (SPEC §8): rows of Symbol / Quantity / Remove, "Add holding",
 * "Upload CSV" and "Analyze". Errors, from the browser's checks or the API's `errors`, appear
 * beside their field (aria-invalid) and in a summary, with focus moved to the first.
 */
import { type ChangeEvent, type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ErrorSummary, FieldMessage, type SummaryItem } from '../../../components/ErrorSummary';
import { ErrorState } from '../../../components/States';
import { useApi } from '../../../lib/api';
import type { AnalyzeResponse } from '../../../lib/api-types';
import { ApiError, SessionExpiredError } from '../../../lib/errors';
import { analyzePortfolio } from '../api/analyze';
import { parseHoldingsCsv } from '../csv';
import { useDraft } from '../hooks/useDraft';
import { normalizeSymbol, parseField, validateDraft } from '../rules';
import type { DraftRow, PortfolioError } from '../types';
import { HoldingRow } from './HoldingRow';

const inputId = (row: DraftRow, name: 'symbol' | 'quantity') => `${row.key}-${name}`;

export function PortfolioForm({ onResult }: { onResult: (result: AnalyzeResponse) => void }) {
  const api = useApi();
  const { rows, update, add, remove, replace } = useDraft();
  const [errors, setErrors] = useState<PortfolioError[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const focusTarget = useRef<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const headingId = useId();
  const fileId = useId();
  const fileErrorId = `${fileId}-error`;

  useEffect(() => {
    if (!focusTarget.current) return;
    document.getElementById(focusTarget.current)?.focus();
    focusTarget.current = null;
  });

  const errorFor = (index: number, name: 'symbol' | 'quantity') =>
    errors.find((e) => {
      const f = parseField(e.field);
      return f?.index === index && f.name === name;
    })?.message;

  const targetOf = (field: string): string | null => {
    const f = parseField(field);
    const row = f ? rows[f.index] : undefined;
    return f && row ? inputId(row, f.name) : null;
  };

  const showErrors = (list: PortfolioError[]) => {
    setErrors(list);
    const first = list.map((e) => targetOf(e.field)).find((t) => t !== null);
    focusTarget.current = first ?? null;
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setNotice(null);
    setFailure(null);
    setFileError(null);
    const problems = validateDraft(rows);
    if (problems.length) return showErrors(problems);
    setErrors([]);
    setBusy(true);
    try {
      const portfolio = rows.map((r) => ({
        symbol: normalizeSymbol(r.symbol),
        quantity: Number(r.quantity),
      }));
      onResult(await analyzePortfolio(api, portfolio));
    } catch (error) {
      if (error instanceof SessionExpiredError) return; // the app shows sign-in; the draft is kept
      if (error instanceof ApiError && error.fieldErrors.length) showErrors(error.fieldErrors);
      else if (error instanceof ApiError && error.status === 422)
        showErrors([{ field: 'portfolio', message: error.message }]);
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    input.value = ''; // the same file can be chosen again after fixing it
    if (!file) return;
    setNotice(null);
    const parsed = parseHoldingsCsv(await file.text());
    if (!parsed.ok) {
      setFileError(`${file.name}: ${parsed.message}. Nothing was loaded.`);
      focusTarget.current = fileId;
      return;
    }
    setFileError(null);
    setErrors([]);
    replace(parsed.holdings);
    const n = parsed.holdings.length;
    setNotice(`Loaded ${n} holding${n === 1 ? '' : 's'} from ${file.name}. Check them, then choose Analyze.`);
  };

  const summary: SummaryItem[] = [
    ...(fileError ? [{ target: fileId, message: fileError }] : []),
    ...errors.map((e) => ({ target: targetOf(e.field), message: e.message })),
  ];
  const portfolioError = errors.find((e) => e.field === 'portfolio')?.message;

  return (
    <form
      className="card portfolio"
      aria-labelledby={headingId}
      aria-busy={busy}
      noValidate
      onSubmit={onSubmit}
    >
      <header className="card-head">
        <div>
          <h2 id={headingId}>Portfolio</h2>
          <p className="muted">
            Your NSE holdings. We value them at the latest prices and apply your advice rules.
          </p>
        </div>
      </header>
      <ErrorSummary items={summary} />
      {portfolioError ? <p className="field-error">{portfolioError}</p> : null}
      <ol className="holdings">
        {rows.map((row, index) => (
          <HoldingRow
            key={row.key}
            row={row}
            index={index}
            symbolId={inputId(row, 'symbol')}
            quantityId={inputId(row, 'quantity')}
            symbolError={errorFor(index, 'symbol')}
            quantityError={errorFor(index, 'quantity')}
            onChange={(patch) => {
              update(row.key, patch);
              const name = 'symbol' in patch ? 'symbol' : 'quantity';
              setErrors((all) => all.filter((e) => e.field !== `portfolio[${index}].${name}`));
            }}
            onRemove={() => {
              const next = rows[index + 1] ?? rows[index - 1];
              remove(row.key);
              setErrors([]);
              if (next) focusTarget.current = inputId(next, 'symbol');
              else addButton.current?.focus();
            }}
          />
        ))}
      </ol>
      {rows.length === 0 ? <p className="muted">No holdings yet. Add one, or upload a CSV file.</p> : null}
      <div className="form-tools">
        <button
          type="button"
          className="button secondary"
          ref={addButton}
          onClick={() => {
            focusTarget.current = inputId(add(), 'symbol');
          }}
        >
          <span aria-hidden="true">+ </span>Add holding
        </button>
        <div className="upload">
          <label htmlFor={fileId} className="upload-label">
            Upload CSV
          </label>
          <input
            id={fileId}
            type="file"
            accept=".csv,text/csv"
            onChange={onFile}
            aria-invalid={fileError ? true : undefined}
            aria-describedby={`${fileId}-hint${fileError ? ` ${fileErrorId}` : ''}`}
          />
          <p className="hint" id={`${fileId}-hint`}>
            One holding per line: <code>symbol,quantity</code>. A header line is optional.
          </p>
          <FieldMessage id={fileErrorId} message={fileError ?? undefined} />
        </div>
      </div>
      <p role="status" className="notice">
        {notice}
      </p>
      {failure ? <ErrorState error={failure} /> : null}
      <div className="form-submit">
        <button type="submit" className="button primary" aria-disabled={busy}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          Analyze
        </button>
        <span className="muted small">Each analysis costs ₹5.00 plus ₹2.00 per advice item.</span>
      </div>
    </form>
  );
}
