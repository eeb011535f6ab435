/** The API keys feature's public surface. */
export { ApiKeys } from './components/ApiKeys';
