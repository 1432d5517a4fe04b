import { decryptEvent, generateKeyring, isEncrypted, localKeyring } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';

describe('secrets and personal data through a real Express app', () => {
  it('arrive masked, pseudonymised or encrypted as configured, never in the clear', async () => {
    const keyring = localKeyring(generateKeyring('k1'));
    const { logger, sink } = memoryLogger({
      redact: { detectors: { email: 'hash' }, hashKey: 'pseudonyms-for-this-deployment' },
      protect: { encrypt: ['request.body.diagnosis', 'details.diagnosis'], keyring },
    });
    const app = express();
    app.use(express.json());
    app.use(auditMiddleware({ logger, captureHeaders: ['authorization', 'x-upstream'], captureBody: true }));
    app.post('/patients/:id/notes', (req, res) => {
      req.audit.log({
        type: 'patient.note.added',
        resource: { type: 'patient', id: req.params.id },
        details: { diagnosis: req.body.diagnosis, by: req.body.email },
      });
      res.status(201).json({ ok: true });
    });
    const server = await startServer(app);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const res = await fetch(`${server.url}/patients/p-7/notes`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${jwt}`,
        'x-upstream': `token ${jwt}`,
      },
      body: JSON.stringify({
        diagnosis: 'J45.909',
        email: 'ann@example.com',
        card: '4111 1111 1111 1111',
        password: 'hunter2',
      }),
    });
    expect(res.status).toBe(201);
    await server.close();
    await logger.close();

    const stored = JSON.stringify(sink.events);
    for (const clear of ['J45.909', 'ann@example.com', '4111 1111', 'hunter2', jwt])
      expect(stored).not.toContain(clear);
    const request = sink.events.find((e) => e.type === 'http.request')!;
    expect(request.request!.headers).toEqual({
      authorization: '[REDACTED]',
      'x-upstream': `token ****${jwt.slice(-4)}`,
    });
    const body = request.request!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      card: '****1111',
      password: '[REDACTED]',
      email: expect.stringMatching(/^\[email:[0-9a-f]{16}\]$/),
    });
    expect(isEncrypted(body.diagnosis)).toBe(true);
    const note = sink.events.find((e) => e.type === 'patient.note.added')!;
    expect(note.details!.by).toBe(body.email); // the same pseudonym: still joinable
    expect(decryptEvent(note, { keyring }).event.details!.diagnosis).toBe('J45.909');
    expect(decryptEvent(request, { keyring }).event.request!.body).toMatchObject({ diagnosis: 'J45.909' });
  });
});
