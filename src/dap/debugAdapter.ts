import { DebugSession } from '@vscode/debugadapter';
import { LeakhuntDebugSession } from './leakhuntDebugSession';

// Standalone entry of the `leakhunt` debug adapter (dist/debugAdapter.js): stdio by default, or a TCP
// DebugAdapterServer with `--server=PORT` (handled by DebugSession.run).
DebugSession.run(LeakhuntDebugSession);
