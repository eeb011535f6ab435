/**
 * Names that the CDK app (lib/) and the functions must agree on, defined once. This file imports
 * nothing, so lib/ can use it without pulling function code into the CDK app.
 */

/** CloudWatch namespace of every custom metric (Powertools EMF) and of the alarms that watch them. */
export const METRICS_NAMESPACE = 'StockConsultant';

/** Cognito group whose members may use admin routes (`?scope=global`, payments, reconciliation). */
export const ADMIN_GROUP = 'admin';
