/** The history feature's public surface. */
export { PastAnalyses } from './components/PastAnalyses';
