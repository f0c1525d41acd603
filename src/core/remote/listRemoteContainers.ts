import { listContainers, type ContainerSummary } from './dockerContainers';
import { openTarget, type OpenTargetOptions } from './openTarget';

/**
 * Connects to an ssh:// target's host, lists its running containers with `docker ps`, and closes the connection
 * again (also on failure): what Connect to Target offers before the watch opens its own connection.
 */
export async function listRemoteContainers(o: OpenTargetOptions): Promise<ContainerSummary[]> {
  const opened = await openTarget(o);
  try {
    return await listContainers(opened.target);
  } finally {
    await opened.target.close().catch(() => undefined);
  }
}
