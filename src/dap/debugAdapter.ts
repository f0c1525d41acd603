import { DebugSession } from '@vscode/debugadapter';
import { LeakhuntDebugSession } from './leakhuntDebugSession';

/** The standalone adapter: ssh:// targets use the user's ~/.ssh/config, known_hosts and ssh-agent, asking nothing. */
class StandaloneLeakhuntDebugSession extends LeakhuntDebugSession {
  constructor() {
    super({});
  }
}

// Standalone entry of the `leakhunt` debug adapter (dist/debugAdapter.js): stdio by default, or a TCP
// DebugAdapterServer with `--server=PORT` (handled by DebugSession.run).
DebugSession.run(StandaloneLeakhuntDebugSession);
