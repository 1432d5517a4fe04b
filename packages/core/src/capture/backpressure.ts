import { reportCallbackError } from '../logger';
import type { AuditContext, AuditLogger } from '../types';
import { runWithContext } from './context';

/**
 * Lets a request go on in its audit context. Under `queue.overflow: 'block'` a full queue holds
 * new requests here until the logger is writable again, so the service slows down instead of
 * dropping events; every adapter passes its requests and calls through this one gate.
 */
export function proceedWhenWritable(logger: AuditLogger, context: AuditContext, next: () => void): void {
  let congested = false;
  try {
    congested = logger.congested === true;
  } catch (error) {
    reportCallbackError(logger, 'congested', error);
  }
  if (!congested) {
    runWithContext(context, next);
    return;
  }
  const go = (): void => {
    runWithContext(context, next);
  };
  try {
    logger.whenWritable().then(go, go);
  } catch (error) {
    // A logger that cannot say when it has room never holds a request for good.
    reportCallbackError(logger, 'whenWritable', error);
    go();
  }
}
