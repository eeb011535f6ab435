/** The billing feature's public surface. */
export { Invoices } from './components/Invoices';
export { ThisMonth } from './components/ThisMonth';
