import type { AdviceAction } from '../../lib/api-types';

/** Readable words for the API's advice actions, and the colour family each is shown in. */
const ACTIONS: Record<AdviceAction, { label: string; tone: 'reduce' | 'caution' | 'buy' | 'neutral' }> = {
  reduce: { label: 'Reduce', tone: 'reduce' },
  caution: { label: 'Caution', tone: 'caution' },
  hold_or_buy: { label: 'Hold or buy', tone: 'buy' },
  buy: { label: 'Buy', tone: 'buy' },
  diversify: { label: 'Diversify', tone: 'neutral' },
};

export const actionOf = (action: string) =>
  ACTIONS[action as AdviceAction] ?? { label: action.replace(/_/g, ' '), tone: 'neutral' as const };
