import { type AuditLogger, audit } from '@auditkit/core';
import { auditErrorHandler, auditMiddleware } from '@auditkit/express';
import express, { type NextFunction, type Request, type Response } from 'express';

interface User {
  id: string;
  email: string;
  roles: string[];
  tenant: string;
}

interface Order {
  id: string;
  item: string;
  quantity: number;
  status: string;
}

type AuthedRequest = Request & { user?: User };

const USERS: Record<string, User & { password: string }> = {
  alice: {
    id: 'u-alice',
    email: 'alice@acme.test',
    roles: ['admin'],
    tenant: 'acme',
    password: 'correct horse',
  },
  bob: { id: 'u-bob', email: 'bob@acme.test', roles: ['clerk'], tenant: 'acme', password: 'battery staple' },
};

/** An order API with logins, CRUD and an export, audited end to end. */
export function createApp(options: { logger?: AuditLogger } = {}): express.Express {
  const app = express();
  const sessions = new Map<string, User>();
  const orders = new Map<string, Order>();
  let nextId = 1;

  app.use(
    auditMiddleware({
      logger: options.logger,
      exclude: ['/health'],
      actor: (req) => {
        const user = (req as AuthedRequest).user;
        return user ? { type: 'user', id: user.id, email: user.email, roles: user.roles } : undefined;
      },
      tenant: (req) => (req as AuthedRequest).user?.tenant,
    }),
  );
  app.use(express.json());

  // Session auth: runs after the audit middleware, which reads req.user when it records.
  app.use((req: AuthedRequest, _res, next) => {
    const token = req.header('authorization')?.replace(/^Bearer /, '');
    if (token) req.user = sessions.get(token);
    next();
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/login', (req, res) => {
    const { username, password } = req.body ?? {};
    const user = USERS[username];
    if (!user || user.password !== password) {
      req.audit.log({
        type: 'auth.login',
        outcome: 'failure',
        actor: { type: 'user', id: typeof username === 'string' ? username : undefined },
        message: 'invalid credentials',
      });
      res.status(401).json({ error: 'invalid credentials' });
      return;
    }
    const token = `t-${user.id}-${Date.now()}`;
    const { password: _pw, ...profile } = user;
    sessions.set(token, profile);
    (req as AuthedRequest).user = profile;
    req.audit.log({ type: 'auth.login', details: { method: 'password' } });
    res.json({ token });
  });

  const requireUser = (req: AuthedRequest, res: Response, next: NextFunction): void => {
    if (req.user) next();
    else res.status(401).json({ error: 'login required' });
  };

  app.post('/orders', requireUser, (req, res) => {
    const order: Order = {
      id: String(nextId++),
      item: String(req.body.item),
      quantity: Number(req.body.quantity ?? 1),
      status: 'open',
    };
    orders.set(order.id, order);
    req.audit.log({
      type: 'order.created',
      resource: { type: 'order', id: order.id },
      changes: { after: order },
      compliance: ['SOX'],
    });
    res.status(201).json(order);
  });

  app.get('/orders/:id', requireUser, (req, res) => {
    const order = orders.get(String(req.params.id));
    if (!order) {
      res.status(404).json({ error: 'no such order' });
      return;
    }
    res.json(order);
  });

  app.patch('/orders/:id', requireUser, (req, res) => {
    const order = orders.get(String(req.params.id));
    if (!order) {
      res.status(404).json({ error: 'no such order' });
      return;
    }
    const before = { ...order };
    Object.assign(order, req.body);
    req.audit.log({
      type: 'order.updated',
      resource: { type: 'order', id: order.id },
      changes: { before, after: order },
    });
    res.json(order);
  });

  app.delete('/orders/:id', requireUser, (req: AuthedRequest, res) => {
    if (!req.user?.roles.includes('admin')) {
      req.audit.log({
        type: 'access.denied',
        category: 'authorization',
        outcome: 'failure',
        resource: { type: 'order', id: String(req.params.id) },
      });
      res.status(403).json({ error: 'admins only' });
      return;
    }
    const existed = orders.delete(String(req.params.id));
    req.audit.log({
      type: 'order.deleted',
      resource: { type: 'order', id: String(req.params.id) },
      outcome: existed ? 'success' : 'failure',
    });
    res.status(existed ? 204 : 404).end();
  });

  app.get('/orders-export', requireUser, async (_req, res) => {
    const rows = [...orders.values()];
    await exportRows(rows);
    res
      .type('text/csv')
      .send(
        ['id,item,quantity,status', ...rows.map((o) => `${o.id},${o.item},${o.quantity},${o.status}`)].join(
          '\n',
        ),
      );
  });

  app.use(auditErrorHandler());
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err.message });
  });
  return app;
}

/** A "service layer" function: audit.log() here inherits the request's context without being passed it. */
async function exportRows(rows: Order[]): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  audit.log({
    type: 'order.exported',
    action: 'export',
    resource: { type: 'order' },
    details: { records: rows.length, format: 'csv' },
    compliance: ['GDPR'],
  });
}
