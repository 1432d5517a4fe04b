import type { RequestAudit } from '@auditkit/core/adapter';

declare global {
  // Express types are extended through its global namespace.
  namespace Express {
    interface Request {
      /** This request's audit context: `req.audit.log({...})` records a business event with it. */
      audit: RequestAudit<Request>;
    }
  }
}
