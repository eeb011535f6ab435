/** The market feature's public surface. */
export { MarketTable } from './components/MarketTable';
