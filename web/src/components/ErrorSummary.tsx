/**
 * The GOV.UK error summary: "There is a problem" with one link per error, each jumping to the
 * field that caused it. Announced as an alert; focus itself goes to the first invalid field.
 */
export interface SummaryItem {
  /** The id of the input to jump to, or null for an error that belongs to no single field. */
  target: string | null;
  message: string;
}

export function ErrorSummary({
  items,
  title = 'There is a problem',
}: {
  items: SummaryItem[];
  title?: string;
}) {
  if (items.length === 0) return null;
  return (
    <div className="error-summary" role="alert">
      <h3>{title}</h3>
      <ul>
        {items.map((item) => (
          <li key={`${item.target}-${item.message}`}>
            {item.target ? (
              <a
                href={`#${item.target}`}
                onClick={(event) => {
                  event.preventDefault();
                  document.getElementById(item.target ?? '')?.focus();
                }}
              >
                {item.message}
              </a>
            ) : (
              item.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The message printed under an input; its id goes in the input's aria-describedby. */
export function FieldMessage({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      <span className="visually-hidden">Error: </span>
      {message}
    </p>
  );
}
