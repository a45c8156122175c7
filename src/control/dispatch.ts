// One request line to one reply: parse, call the handler, turn what it
// returns or throws into a reply. Never throws.
import { errorReply, parseRequest, replyForError, type Reply } from './protocol.js';
import type { ControlHandler } from './types.js';

export async function dispatch(line: string, handler: ControlHandler): Promise<Reply> {
  try {
    const req = parseRequest(line);
    switch (req.op) {
      case 'status':
        return { ok: true, status: await handler.status() };
      case 'revoke':
        return { ok: true, revoked: await handler.revoke(req.address) };
      case 'unban':
        if (!handler.unban) return errorReply('CONTROL_UNKNOWN_COMMAND', 'this daemon has no bans to lift');
        return { ok: true, unbanned: await handler.unban(req.address) };
      case 'reload': {
        const outcome = await handler.reload();
        if (outcome.ok) return { ok: true, doors: outcome.doors };
        return errorReply('CONFIG_INVALID', 'the config file is not valid; still running with the previous configuration', outcome.errors);
      }
    }
  } catch (err) {
    return replyForError(err);
  }
}
