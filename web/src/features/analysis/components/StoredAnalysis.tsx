import { ErrorState, Loading } from '../../../components/States';
import { useApiQuery } from '../../../lib/api';
import type { AnalyzeResponse } from '../../../lib/api-types';
import { analysisPath } from '../api/getAnalysis';
import { AnalysisResult } from './AnalysisResult';

/** A past analysis, read back from history (never billed). */
export function StoredAnalysis({ id }: { id: string }) {
  const query = useApiQuery<AnalyzeResponse>(analysisPath(id));
  if (query.loading && !query.data) return <Loading label="Loading the analysis…" />;
  if (query.error) return <ErrorState error={query.error} onRetry={() => query.reload()} />;
  return query.data ? <AnalysisResult result={query.data} /> : null;
}
