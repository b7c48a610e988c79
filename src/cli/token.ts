/** `callfilter token [--rotate]`: print the admin token (generating it if there is none yet), or replace it. */
import { loadAdminToken, rotateAdminToken } from '../api/auth.js';
import type { AppContext } from '../context.js';
import { CommandError, parse } from './args.js';
import type { CliIo, Out } from './main.js';

export function tokenCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): void {
  const { values } = parse(argv, { rotate: { type: 'boolean' } });
  if (ctx.config.adminToken !== undefined) {
    // Set by whoever runs the service: they have it, and this command does not echo secrets from the environment.
    if (values.rotate) throw new CommandError('the admin token is set by CALLFILTER_ADMIN_TOKEN; change it there');
    io.err('the admin token is set by CALLFILTER_ADMIN_TOKEN (not printed here)');
    return;
  }
  if (values.rotate) {
    const rotated = rotateAdminToken(ctx.config);
    out(rotated.token);
    io.err(
      `new admin token stored in ${rotated.file}; the old one stops working at once (a running service re-reads the file)`,
    );
    return;
  }
  const token = loadAdminToken(ctx.config);
  out(token.token);
  if (token.source === 'generated') io.err(`generated a new admin token, stored in ${token.file}`);
}
