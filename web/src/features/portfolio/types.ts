/** A row of the portfolio editor as typed (strings until it is sent). */
export interface DraftRow {
  /** Stable key for React and for element ids. */
  key: string;
  symbol: string;
  quantity: string;
}

/** An error tied to one input (`portfolio[1].quantity`) or to the whole portfolio (`portfolio`). */
export interface PortfolioError {
  field: string;
  message: string;
}
