/** The advice rules feature's public surface. */
export { AdviceRules } from './components/AdviceRules';
