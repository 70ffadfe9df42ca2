import type { FastifyReply } from 'fastify';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { HostedPages } from './hosted-pages.ts';
import { sendPage } from './hosted-reply.ts';

/** 403 for a form post without a valid CSRF token (UI-H-02): forged cross-site, expired, or its fields edited. */
export function sendForbiddenForm(pages: HostedPages, reply: FastifyReply, application: Application | undefined): FastifyReply {
  const page = pages.error({
    tenantId: application?.tenantId,
    heading: 'Request refused',
    message: 'This form has expired or was not sent from this site. Go back to the application and start again.',
    error: 'invalid_csrf_token',
  });
  return sendPage(reply, page, { status: 403, application });
}
