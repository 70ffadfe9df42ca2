/** A kickstart file that cannot run, or a request of it that failed: start-up stops with this message. */
export class KickstartError extends Error {
  override readonly name = 'KickstartError';
}
