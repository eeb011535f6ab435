/**
 * The confirmation before an analysis is deleted: a modal <dialog> (the browser moves focus into
 * it, keeps it there and closes it on Escape), named by its heading, saying what goes and what
 * stays. "Cancel" is first, so Enter on the opened dialog deletes nothing.
 */
import { useEffect, useId, useRef } from 'react';

export function DeleteDialog({
  what,
  busy,
  onConfirm,
  onCancel,
}: {
  /** The analysis, as the list shows it (date and value), or null when closed. */
  what: string | null;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (what && !dialog.open) dialog.showModal();
    if (!what && dialog.open) dialog.close();
  }, [what]);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h3 id={titleId}>Delete this analysis?</h3>
      <p>
        <bdi>{what}</bdi>
      </p>
      <p>
        Its portfolio and advice are erased from your history for good. What it cost stays on your bill and
        invoices.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button danger" onClick={onConfirm} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete analysis'}
        </button>
      </div>
    </dialog>
  );
}
