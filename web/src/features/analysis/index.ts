/** The analysis feature's public surface. */
export { AnalysisResult } from './components/AnalysisResult';
export { StoredAnalysis } from './components/StoredAnalysis';
