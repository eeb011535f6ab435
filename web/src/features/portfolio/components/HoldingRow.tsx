import { FieldMessage } from '../../../components/ErrorSummary';
import type { DraftRow } from '../types';

interface Props {
  row: DraftRow;
  index: number;
  symbolId: string;
  quantityId: string;
  symbolError: string | undefined;
  quantityError: string | undefined;
  onChange(patch: Partial<Pick<DraftRow, 'symbol' | 'quantity'>>): void;
  onRemove(): void;
}

/**
 * One holding. The inputs are named exactly "Symbol" and "Quantity" and the button "Remove"
 * (the contract); which holding they belong to is added through aria-describedby only.
 */
export function HoldingRow({
  row,
  index,
  symbolId,
  quantityId,
  symbolError,
  quantityError,
  onChange,
  onRemove,
}: Props) {
  const context = `${row.key}-context`;
  const describe = (errorId: string, error: string | undefined) =>
    [context, error ? errorId : ''].join(' ').trim();
  return (
    <li className="holding-row">
      <span id={context} className="visually-hidden">
        Holding {index + 1}
        {row.symbol ? `, ${row.symbol.toUpperCase()}` : ''}
      </span>
      <div className="field symbol">
        <label htmlFor={symbolId} className="field-label">
          Symbol
        </label>
        <input
          id={symbolId}
          type="text"
          value={row.symbol}
          autoCapitalize="characters"
          autoComplete="off"
          spellCheck={false}
          maxLength={40}
          placeholder="e.g. TCS"
          aria-invalid={symbolError ? true : undefined}
          aria-describedby={describe(`${symbolId}-error`, symbolError)}
          onChange={(e) => onChange({ symbol: e.target.value })}
        />
        <FieldMessage id={`${symbolId}-error`} message={symbolError} />
      </div>
      <div className="field quantity">
        <label htmlFor={quantityId} className="field-label">
          Quantity
        </label>
        <input
          id={quantityId}
          type="number"
          inputMode="numeric"
          min={1}
          max={1_000_000_000}
          step={1}
          value={row.quantity}
          placeholder="10"
          aria-invalid={quantityError ? true : undefined}
          aria-describedby={describe(`${quantityId}-error`, quantityError)}
          onChange={(e) => onChange({ quantity: e.target.value })}
        />
        <FieldMessage id={`${quantityId}-error`} message={quantityError} />
      </div>
      <button type="button" className="button ghost remove" aria-describedby={context} onClick={onRemove}>
        Remove
      </button>
    </li>
  );
}
