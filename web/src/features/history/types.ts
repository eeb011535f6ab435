/** GET /api/analyses item (SPEC §9). */
export interface AnalysisSummary {
  analysis_id: string;
  created_at: string;
  portfolio_value: number;
  holdings: number;
  advice_count: number;
  charged: number;
}

export interface AnalysisPage {
  items: AnalysisSummary[];
  next_cursor: string | null;
}
