/**
 * What an analysis costs and how a month's ledger becomes a bill. Pure, exact paise.
 * The unit prices used are snapshotted on each usage event, so a bill is computed from the
 * ledger alone and a later price change never alters it.
 */
import { type Paise, paiseToRupees, sum, toPaise } from './money';
import type { Period } from './periods';

export const CURRENCY = 'INR';

export type Feature = 'portfolio_analysis' | 'advice_generation';
/** Line-item order on a bill. */
export const FEATURES: readonly Feature[] = ['portfolio_analysis', 'advice_generation'];

export interface PriceList {
  portfolioAnalysis: Paise;
  adviceItem: Paise;
}

/** The price list from its configured decimal text. */
export function priceList(config: { portfolioAnalysis: string; adviceItem: string }): PriceList {
  return { portfolioAnalysis: toPaise(config.portfolioAnalysis), adviceItem: toPaise(config.adviceItem) };
}

/** One ledger row to write: a billed feature with its quantity and the unit price in force. */
export interface UsageCharge {
  feature: Feature;
  quantity: number;
  unitPricePaise: Paise;
}

export interface Charge {
  charges: UsageCharge[];
  totalPaise: Paise;
  /** The `billing` block of the analyze response (SPEC §3). */
  block: {
    currency: typeof CURRENCY;
    charged: number;
    breakdown: {
      portfolio_analysis: number;
      advice_items: number;
      price_per_advice: number;
      advice_cost: number;
    };
  };
}

/** Price one analysis that produced `adviceItems` advice items. */
export function chargeFor(adviceItems: number, prices: PriceList): Charge {
  const adviceCost = prices.adviceItem * BigInt(adviceItems);
  const charges: UsageCharge[] = [
    { feature: 'portfolio_analysis', quantity: 1, unitPricePaise: prices.portfolioAnalysis },
  ];
  if (adviceItems > 0) {
    charges.push({ feature: 'advice_generation', quantity: adviceItems, unitPricePaise: prices.adviceItem });
  }
  const totalPaise = prices.portfolioAnalysis + adviceCost;
  return {
    charges,
    totalPaise,
    block: {
      currency: CURRENCY,
      charged: paiseToRupees(totalPaise),
      breakdown: {
        portfolio_analysis: paiseToRupees(prices.portfolioAnalysis),
        advice_items: adviceItems,
        price_per_advice: paiseToRupees(prices.adviceItem),
        advice_cost: paiseToRupees(adviceCost),
      },
    },
  };
}

/** A month's ledger grouped by feature and snapshotted unit price. */
export interface LedgerGroup {
  feature: Feature;
  unitPricePaise: Paise;
  quantity: bigint;
}

/** Ledger groups in bill order: features in FEATURES order, then by unit price (bills and invoices). */
export function billOrder(a: LedgerGroup, b: LedgerGroup): number {
  return (
    FEATURES.indexOf(a.feature) - FEATURES.indexOf(b.feature) ||
    (a.unitPricePaise < b.unitPricePaise ? -1 : a.unitPricePaise > b.unitPricePaise ? 1 : 0)
  );
}

export type BillStatus = 'open' | 'closed';

export interface Bill {
  period: string;
  period_start: string;
  period_end: string;
  status: BillStatus;
  due_date: string;
  currency: typeof CURRENCY;
  line_items: Array<{
    feature: Feature;
    description: string;
    quantity: number;
    unit_price: number;
    amount: number;
  }>;
  subtotal: number;
}

const DESCRIPTIONS: Record<Feature, string> = {
  portfolio_analysis: 'Portfolio analyses',
  advice_generation: 'Advice items generated',
};

/**
 * The bill of `period`: one line per (feature, unit price), so a price change mid-month shows
 * as two lines. `open` while the period is running (charges still accrue), `closed` once it
 * has ended (final; payable by the due date).
 */
export function buildBill(period: Period, groups: readonly LedgerGroup[], now: Date): Bill {
  const ordered = [...groups].sort(billOrder);
  const lines = ordered.map((g) => ({ ...g, amountPaise: g.unitPricePaise * g.quantity }));
  return {
    period: period.name,
    period_start: period.firstDay,
    period_end: period.lastDay,
    status: now < period.end ? 'open' : 'closed',
    due_date: period.dueDate,
    currency: CURRENCY,
    line_items: lines.map((l) => ({
      feature: l.feature,
      description: DESCRIPTIONS[l.feature],
      quantity: Number(l.quantity),
      unit_price: paiseToRupees(l.unitPricePaise),
      amount: paiseToRupees(l.amountPaise),
    })),
    subtotal: paiseToRupees(sum(lines.map((l) => l.amountPaise))),
  };
}
