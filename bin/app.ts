#!/usr/bin/env node
/**
 * CDK entry point: `npx cdk synth|deploy [-c stage=dev|prod] [-c corsOrigins=https://app.example]`.
 */
import { App } from 'aws-cdk-lib';
import { applyChecks } from '../lib/nag';
import { createStockConsultant } from '../lib/stock-consultant';

const app = new App();
createStockConsultant(app);
applyChecks(app);
