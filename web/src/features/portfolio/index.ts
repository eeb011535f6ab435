/** The portfolio feature's public surface. */
export { PortfolioForm } from './components/PortfolioForm';
export { clearDraft } from './hooks/useDraft';
