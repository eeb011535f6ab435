/** GET /api/analyses item (SPEC §9). */
export interface AnalysisSummary {
  analysis_id: string;
  created_at: string;
  portfolio_value: number;
  /** The holdings as analyzed (normalized, repeated symbols summed). */
  holdings: Array<{ symbol: string; quantity: number }>;
  advice_count: number;
  charged: number;
}

export interface AnalysisPage {
  items: AnalysisSummary[];
  next_cursor: string | null;
}
