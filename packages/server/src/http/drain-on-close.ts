import type { FastifyInstance } from 'fastify';

/**
 * Once shutdown begins, responses to requests still in flight carry `Connection: close`, so keep-alive
 * clients drop the socket instead of holding the server open until their idle timeout.
 */
export function registerDrainOnClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
