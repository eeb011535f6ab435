import { useEffect, useRef, useState } from 'react';
import { Page } from '../../components/Page';
import { AnalysisResult } from '../../features/analysis';
import { PortfolioForm } from '../../features/portfolio';
import type { AnalyzeResponse } from '../../lib/api-types';

export function AnalyzePage() {
  const [result, setResult] = useState<AnalyzeResponse | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (result) heading.current?.focus();
  }, [result]);
  return (
    <Page title="Analyze" intro="Type your holdings or upload a CSV, then choose Analyze.">
      <div className="analyze-grid">
        <PortfolioForm onResult={setResult} />
        {result ? (
          <AnalysisResult result={result} headingRef={heading} />
        ) : (
          <div className="card placeholder">
            <h2>Your analysis appears here</h2>
            <p className="muted">
              Portfolio value, advice per holding, sector allocation and what it cost, as soon as you choose
              Analyze.
            </p>
          </div>
        )}
      </div>
    </Page>
  );
}
