import { type ReactNode, useEffect } from 'react';

/** A screen: its document title and its h1 (which takes focus after navigation, see Layout). */
export function Page({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Stock Consultant`;
  }, [title]);
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
      </div>
      {children}
    </>
  );
}
