import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  cgroupFigures,
  cgroupFiles,
  cgroupLayout,
  parseCgroupMounts,
  parseLimit,
  parseProcCgroup,
} from '../../../src/core/remote/cgroupMemory';

const rec = path.resolve(__dirname, '../../../testdata/recorded/cgroup-v2');
const read = (n: string): string => readFileSync(path.join(rec, n), 'utf8');

describe('cgroup memory parsing', () => {
  // cgroup v2 cannot be produced on this machine (memory controller is v1): these files were written from the kernel's
  // cgroup-v2 documentation, see testdata/recorded/README.md.
  it('reads v2 figures from recorded memory.current / memory.max / memory.stat / memory.events', () => {
    const layout = cgroupLayout(read('proc-pid-cgroup'), read('mountinfo'));
    assert.ok(layout);
    assert.equal(layout.version, 'v2');
    assert.match(layout.dir, /^\/sys\/fs\/cgroup\/system\.slice\/docker-5f3c.*\.scope$/);
    const files = new Map<string, string | null>();
    for (const f of cgroupFiles(layout)) files.set(f, read(path.basename(f)));
    const fig = cgroupFigures(layout, files);
    assert.equal(fig.cgroup, 'v2');
    assert.equal(fig.memoryCurrent, 201326592);
    assert.equal(fig.memoryMax, 268435456);
    assert.equal(fig.stat['anon'], 171966464);
    assert.equal(fig.stat['file_mapped'], 8912896);
    assert.equal(fig.events?.['oom'], 3);
    assert.equal(fig.events?.['oom_kill'], 2);
    files.set(`${layout.dir}/memory.max`, read('memory.max.unlimited'));
    assert.equal(cgroupFigures(layout, files).memoryMax, null);
    files.set(`${layout.dir}/memory.current`, null);
    assert.equal(cgroupFigures(layout, files).cgroup, 'none');
  });

  it('detects the memory hierarchy of this machine from its real /proc/self files (v1 wins on hybrid hosts)', () => {
    const pc = readFileSync('/proc/self/cgroup', 'utf8');
    const mi = readFileSync('/proc/self/mountinfo', 'utf8');
    const layout = cgroupLayout(pc, mi);
    assert.ok(layout);
    const v1 = parseProcCgroup(pc).v1.get('memory');
    const mounts = parseCgroupMounts(mi);
    if (v1 !== undefined && mounts.memoryV1) {
      assert.equal(layout.version, 'v1');
      assert.equal(layout.path, v1);
      assert.ok(layout.dir.startsWith(mounts.memoryV1.mount));
    } else {
      assert.equal(layout.version, 'v2');
      assert.equal(layout.path, parseProcCgroup(pc).v2);
    }
  });

  it('handles mount roots, v1 unlimited sentinels and junk', () => {
    const mi = '40 31 0:38 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    const l = cgroupLayout('4:memory:/docker/abc/sub\n', mi);
    assert.equal(l?.dir, '/sys/fs/cgroup/memory/sub');
    assert.equal(parseLimit('9223372036854771712\n'), null);
    assert.equal(parseLimit('max'), null);
    assert.equal(parseLimit('536870912'), 536870912);
    assert.equal(parseLimit('garbage'), null);
    assert.equal(cgroupLayout('garbage', 'garbage'), null);
    const p = parseProcCgroup('12:cpu,cpuacct:/a\n0::/b\n');
    assert.equal(p.v1.get('cpuacct'), '/a');
    assert.equal(p.v2, '/b');
  });
});
