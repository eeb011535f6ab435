/**
 * What every function of the app gets, applied once after all stacks are built (so functions
 * other code adds later get it too, without remembering to ask).
 */
import type { IConstruct } from 'constructs';
import { STAGE_ENV } from '../functions/platform/names';
import type { StageConfig } from './config';
import { functionAlarmName, StackAlarms } from './constructs/alarms';
import { AppFunction } from './constructs/app-function';

export function applyFunctionConventions(root: IConstruct, config: StageConfig): void {
  for (const c of root.node.findAll()) {
    if (!(c instanceof AppFunction)) continue;
    // The `stage` dimension of the function's metrics (functions/platform/powertools.ts).
    c.addEnvironment(STAGE_ENV, config.stage);
    StackAlarms.of(c).watchFunction(functionAlarmName(c), c);
  }
}
